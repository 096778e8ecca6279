#include "relmap/consumer/directory_topic.hpp"

#include <chrono>
#include <stdexcept>

#include "read_topic.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::consumer {

using namespace std::chrono_literals;

graph::Directory read_directory(const kafka::Config& config, const std::string& topic) {
  graph::Directory directory;
  for (const auto& [partition, contents] : read_partitions(config, topic, all_partitions(config, topic))) {
    for (const auto& [id, value] : contents) {
      if (auto entry = graph::directory_entry_from_json(id, value)) {
        directory.entries[id] = std::move(*entry);
      } else {
        relmap::logger("directory")->warn("{}: unreadable directory entry for '{}': {}", topic, id, value);
      }
    }
  }
  return directory;
}

void publish_directory(const kafka::Config& config, const std::string& topic, const graph::Directory& directory) {
  kafka::Config producer_config = config;
  producer_config.set("enable.idempotence", "true");
  std::error_code failure;
  kafka::Producer producer(producer_config, [&failure](const kafka::Delivery& report) {
    if (report.error && !failure) failure = report.error;
  });
  for (const auto& [id, entry] : directory.entries) {
    if (const auto error = producer.produce(topic, id, graph::to_json(entry))) {
      throw kafka::KafkaException(error, "producing to " + topic);
    }
  }
  if (const auto error = producer.flush(60s)) throw kafka::KafkaException(error, "flushing to " + topic);
  if (failure) throw kafka::KafkaException(failure, "delivering to " + topic);
}

}  // namespace relmap::consumer
