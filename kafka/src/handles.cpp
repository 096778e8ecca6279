#include "c_api.hpp"

#include <librdkafka/rdkafka.h>

namespace relmap::kafka {

void HandleDeleter::operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
void HandleDeleter::operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
void HandleDeleter::operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
void HandleDeleter::operator()(rd_kafka_consumer_group_metadata_t* metadata) const {
  rd_kafka_consumer_group_metadata_destroy(metadata);
}
void HandleDeleter::operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
void HandleDeleter::operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
void HandleDeleter::operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
void HandleDeleter::operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
void HandleDeleter::operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }

PartitionListPtr to_partition_list(const std::vector<TopicPartition>& partitions) {
  PartitionListPtr list{rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()))};
  for (const auto& partition : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), partition.topic.c_str(), partition.partition)->offset =
        partition.offset;
  }
  return list;
}

std::vector<TopicPartition> from_partition_list(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> partitions;
  if (list == nullptr) return partitions;
  partitions.reserve(static_cast<std::size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& element = list->elems[i];
    partitions.push_back({element.topic, element.partition, element.offset});
  }
  return partitions;
}

std::string_view payload(const rd_kafka_message_t& message) {
  return {static_cast<const char*>(message.payload), message.payload ? message.len : 0};
}

std::string_view key(const rd_kafka_message_t& message) {
  return {static_cast<const char*>(message.key), message.key ? message.key_len : 0};
}

std::optional<std::string> header(const rd_kafka_message_t& message, const char* name) {
  rd_kafka_headers_t* headers = nullptr;
  // The headers stay owned by the message.
  if (rd_kafka_message_headers(&message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  const void* value = nullptr;
  std::size_t size = 0;
  if (rd_kafka_header_get_last(headers, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) return std::nullopt;
  return std::string(static_cast<const char*>(value), value ? size : 0);
}

}  // namespace relmap::kafka
