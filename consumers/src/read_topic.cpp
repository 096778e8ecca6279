#include "read_topic.hpp"

#include <chrono>
#include <set>
#include <stdexcept>

#include "relmap/common/logging.hpp"

namespace relmap::consumer {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::map<std::int32_t, PartitionContents> read_partitions(
    const kafka::Config& base, const std::string& topic, const std::vector<std::int32_t>& partitions,
    const std::function<void(const kafka::Message&)>& on_record) {
  std::map<std::int32_t, PartitionContents> contents;
  if (partitions.empty()) return contents;
  kafka::Config config = base;
  // earliest: should the first offset move before the fetch (records deleted meanwhile), the reader
  // goes on from the new first offset rather than from the end.
  config.set("isolation.level", "read_committed").set("enable.partition.eof", "true")
      .set("enable.auto.commit", "false").set("group.id", "relmap-reader").set("fetch.wait.max.ms", "50")
      .set("auto.offset.reset", "earliest");
  kafka::Consumer reader(config);
  // An empty partition is finished before it starts: not every broker (librdkafka's mock cluster)
  // reports the end of a partition that holds nothing. The others start at their first offset, as an
  // absolute offset: librdkafka 2.0.2 looks a logical one up after a 500 ms back-off when the
  // partition's leader is not known yet, which is the case for a reader just made.
  std::vector<kafka::TopicPartition> assignment;
  std::set<std::int32_t> unfinished;
  for (const auto partition : partitions) {
    contents[partition];
    const auto watermarks = reader.watermarks(topic, partition, 30s);
    if (!watermarks.error && watermarks.high <= watermarks.low) continue;
    unfinished.insert(partition);
    assignment.push_back({topic, partition, watermarks.error ? kafka::kOffsetBeginning : watermarks.low});
  }
  if (unfinished.empty()) return contents;
  reader.assign(assignment);
  const auto deadline = Clock::now() + 10min;
  while (!unfinished.empty() && Clock::now() < deadline) {
    const auto message = reader.poll(200ms);
    if (!message) continue;
    if (message.is_end_of_partition()) {
      unfinished.erase(message.partition());
      continue;
    }
    if (!message.is_record()) {
      relmap::logger("aggregate")->warn("reading {}[{}]: {}", topic, message.partition(), message.error_text());
      continue;
    }
    if (on_record) {
      on_record(message);
      continue;
    }
    auto& latest = contents[message.partition()];
    std::string key{message.key()};
    // Earlier relmap builds wrote tombstones as empty values, not null: those delete the key too.
    if (message.has_null_value() || message.value().empty()) {
      latest.erase(key);
    } else {
      latest[std::move(key)] = std::string(message.value());
    }
  }
  if (!unfinished.empty()) throw std::runtime_error("reading " + topic + " did not reach its end");
  return contents;
}

std::vector<std::int32_t> all_partitions(const kafka::Config& config, const std::string& topic) {
  return all_partitions(config, std::vector<std::string>{topic}).front();
}

std::vector<std::vector<std::int32_t>> all_partitions(const kafka::Config& config, const std::vector<std::string>& topics) {
  std::vector<std::vector<std::int32_t>> lists;
  for (const int count : kafka::partition_counts(config, topics, 30s)) {
    auto& partitions = lists.emplace_back(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < partitions.size(); ++i) partitions[i] = static_cast<std::int32_t>(i);
  }
  return lists;
}

}  // namespace relmap::consumer
