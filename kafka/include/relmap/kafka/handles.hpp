#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace relmap::kafka {

/// Owning smart pointers for librdkafka's C handles: nothing leaks on an error path.
struct HandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
  void operator()(rd_kafka_consumer_group_metadata_t* metadata) const {
    rd_kafka_consumer_group_metadata_destroy(metadata);
  }
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
};

using ClientHandle = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, HandleDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, HandleDeleter>;
using GroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_t, HandleDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, HandleDeleter>;

/// A message header; values are bytes.
using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

/// One partition of a topic, with an offset where it matters (committed, position, assignment).
struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = RD_KAFKA_OFFSET_INVALID;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

PartitionListPtr to_partition_list(const std::vector<TopicPartition>& partitions);
std::vector<TopicPartition> from_partition_list(const rd_kafka_topic_partition_list_t* list);

/// Read-only views of a consumed message.
std::string_view payload(const rd_kafka_message_t& message);
std::string_view key(const rd_kafka_message_t& message);
/// The last value of header `name`, if the message carries it.
std::optional<std::string> header(const rd_kafka_message_t& message, const char* name);

}  // namespace relmap::kafka
