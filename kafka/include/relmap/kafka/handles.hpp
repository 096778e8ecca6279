#pragma once
// Owning pointers to librdkafka's handles, which stay opaque outside kafka/: only kafka/src includes
// rdkafka.h, and librdkafka is linked privately.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

struct rd_kafka_s;
struct rd_kafka_message_s;
struct rd_kafka_topic_partition_list_s;
struct rd_kafka_consumer_group_metadata_s;
struct rd_kafka_headers_s;
struct rd_kafka_queue_s;
struct rd_kafka_op_s;
struct rd_kafka_topic_s;
struct rd_kafka_conf_s;

namespace relmap::kafka {

/// Destroys each handle with its librdkafka destructor: nothing leaks on an error path.
struct HandleDeleter {
  void operator()(rd_kafka_s* handle) const;
  void operator()(rd_kafka_message_s* message) const;
  void operator()(rd_kafka_topic_partition_list_s* list) const;
  void operator()(rd_kafka_consumer_group_metadata_s* metadata) const;
  void operator()(rd_kafka_headers_s* headers) const;
  void operator()(rd_kafka_queue_s* queue) const;
  void operator()(rd_kafka_op_s* event) const;
  void operator()(rd_kafka_topic_s* topic) const;
  void operator()(rd_kafka_conf_s* conf) const;
};

using ClientHandle = std::unique_ptr<rd_kafka_s, HandleDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_s, HandleDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_s, HandleDeleter>;
/// A consumer's group metadata, which a transaction's offsets are sent with.
using GroupMetadataPtr = std::unique_ptr<rd_kafka_consumer_group_metadata_s, HandleDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_s, HandleDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_s, HandleDeleter>;

/// "Any partition": the producer's partitioner (the key's hash) chooses.
inline constexpr std::int32_t kAnyPartition = -1;      // RD_KAFKA_PARTITION_UA
/// The first offset a partition still holds.
inline constexpr std::int64_t kOffsetBeginning = -2;   // RD_KAFKA_OFFSET_BEGINNING
/// No offset (none committed, not known).
inline constexpr std::int64_t kOffsetInvalid = -1001;  // RD_KAFKA_OFFSET_INVALID

/// A message header; values are bytes.
using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

/// One partition of a topic, with an offset where it matters (committed, position, assignment).
struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = kOffsetInvalid;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

}  // namespace relmap::kafka
