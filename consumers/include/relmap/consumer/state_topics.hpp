#pragma once
// The state topics of the streaming aggregation: what the changelog and the aggregates topic hold,
// under which keys, and how their readers turn them back into aggregators and aggregates.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/graph/statistics.hpp"
#include "relmap/kafka/config.hpp"
#include "relmap/kafka/topology.hpp"

namespace relmap::consumer {

/// The topics of the streaming aggregation. The changelog and aggregates topics are compacted and
/// have as many partitions as the events topic: partition p of each holds input partition p's records.
struct StreamTopics {
  std::string events = kafka::topology::kEventsTopic;
  std::string dead_letter = kafka::topology::kDeadLetterTopic;
  std::string changelog = kafka::topology::kChangelogTopic;
  std::string aggregates = kafka::topology::kAggregatesTopic;
  std::string alerts = kafka::topology::kAlertsTopic;  ///< andon pulls, once each (in the transaction)
  /// The aggregates in JSON for other readers (compacted, partitioned as the changelog); empty: not written.
  std::string aggregates_json;

  /// The topics the aggregator writes to.
  std::vector<std::string> outputs() const {
    std::vector<std::string> written = {changelog, aggregates, alerts, dead_letter};
    if (!aggregates_json.empty()) written.push_back(aggregates_json);
    return written;
  }
};

/// Record keys in the changelog and aggregates topics: a case's state in the changelog; a partition's
/// totals in both.
inline constexpr std::string_view kCaseKeyPrefix = "c:";
inline constexpr std::string_view kTotalsKey = "t:";
/// In the aggregates topic, the facts of a case's life that left memory: one record per life,
/// "d:<life_of its state, 16 hex digits>:<case key>", so a case that comes back and leaves again
/// adds a record instead of replacing its first life's. (Builds before 2026-11-25 wrote them under
/// "c:<case key>", and replaced them.)
inline constexpr std::string_view kDepartedKeyPrefix = "d:";
std::string departed_case_key(std::string_view case_key, const aggregation::CaseState& state);
/// A departed life's key, split: nullopt for any other key.
struct DepartedKey {
  std::uint64_t life;
  std::string case_key;
};
std::optional<DepartedKey> parse_departed_key(std::string_view key);

/// Throws unless the aggregation's output topics exist, the changelog and the aggregates topic with at
/// least the events topic's partitions (each case's state goes to its input partition). A missing
/// events topic is not an error: a consumer waits for it.
void expect_output_topics(const kafka::Config& config, const StreamTopics& topics, std::chrono::milliseconds timeout);

/// Rebuilds the aggregators of `partitions` from the changelog (read_committed, to its end).
struct RestoredPartitions {
  std::map<std::int32_t, aggregation::Aggregator> aggregators;
  std::size_t cases = 0;
};
RestoredPartitions restore_partitions(const kafka::Config& config, const StreamTopics& topics,
                                      const std::vector<std::int32_t>& partitions);

/// Reads the changelog and then the aggregates topic to their ends (read_committed): the facts of the
/// cases in memory from their state, those of the cases that have left memory, and the partitions'
/// totals; every statistic but `rejected`.
aggregation::AggregatesBuilder read_case_facts(const kafka::Config& config, const StreamTopics& topics);
/// ... and counts the dead-letter topic's records as `rejected`.
aggregation::AggregatesBuilder read_aggregates_snapshot(const kafka::Config& config, const StreamTopics& topics);
/// ... and builds the aggregates of `window`.
graph::Aggregates read_aggregates(const kafka::Config& config, const StreamTopics& topics, const graph::Window& window);

}  // namespace relmap::consumer
