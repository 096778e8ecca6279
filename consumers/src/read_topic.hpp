#pragma once
// Reading whole topics (the changelog on restore, the aggregates and the directory on a query).

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "relmap/kafka/client.hpp"

namespace relmap::consumer {

/// The latest value of each key of a compacted topic's partition (a tombstone removes the key).
using PartitionContents = std::unordered_map<std::string, std::string>;

/// Reads the given partitions of a topic to their end (read_committed), all at once; calls
/// `on_record` for every committed record instead of keeping contents when it is given.
std::map<std::int32_t, PartitionContents> read_partitions(
    const kafka::Config& base, const std::string& topic, const std::vector<std::int32_t>& partitions,
    const std::function<void(const kafka::Message&)>& on_record = {});

/// The partitions of `topic`, 0 to n-1; none when the topic does not exist.
std::vector<std::int32_t> all_partitions(const kafka::Config& config, const std::string& topic);
/// The same for several topics, in their order, through one client.
std::vector<std::vector<std::int32_t>> all_partitions(const kafka::Config& config, const std::vector<std::string>& topics);

}  // namespace relmap::consumer
