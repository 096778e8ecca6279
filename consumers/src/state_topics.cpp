#include "relmap/consumer/state_topics.hpp"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <stdexcept>

#include <absl/container/flat_hash_map.h>

#include "read_topic.hpp"
#include "readable_aggregates.hpp"
#include "relmap/aggregation/state_codec.hpp"
#include "relmap/kafka/client.hpp"
#include "state_records.hpp"

namespace relmap::consumer {
namespace {

constexpr std::size_t kLifeDigits = 16;  // aggregation::life_of() in hex

// A changelog or aggregates record that does not decode was not written by relmap, or by a build that
// used another format: the reader stops rather than count without it.
aggregation::CaseState readable_case_state(const std::string& key, std::string_view value, const schemas::Decoder& decoder,
                                           const std::string& topic) {
  auto state = aggregation::decode_case_state(value, decoder);
  if (!state) throw std::runtime_error("unreadable case state " + key + " in " + topic);
  return std::move(*state);
}

aggregation::PartitionTotals readable_totals(std::string_view value, const std::string& topic) {
  const auto totals = aggregation::decode_totals(value);
  if (!totals) throw std::runtime_error("unreadable totals in " + topic);
  return *totals;
}

/// The changelog holds events the aggregator accepted before, whatever the clock says now.
const schemas::Decoder& changelog_decoder() {
  static const schemas::Decoder decoder{schemas::TimeBounds::none()};
  return decoder;
}

}  // namespace

std::string departed_case_key(std::string_view case_key, const aggregation::CaseState& state) {
  char life[kLifeDigits + 1];
  std::snprintf(life, sizeof life, "%016" PRIx64, aggregation::life_of(state));
  return std::string(kDepartedKeyPrefix).append(life).append(":").append(case_key);
}

std::optional<DepartedKey> parse_departed_key(std::string_view key) {
  if (!key.starts_with(kDepartedKeyPrefix) || key.size() <= kDepartedKeyPrefix.size() + kLifeDigits ||
      key[kDepartedKeyPrefix.size() + kLifeDigits] != ':') {
    return std::nullopt;
  }
  const char* digits = key.data() + kDepartedKeyPrefix.size();
  DepartedKey departed{0, std::string(key.substr(kDepartedKeyPrefix.size() + kLifeDigits + 1))};
  if (std::from_chars(digits, digits + kLifeDigits, departed.life, 16).ptr != digits + kLifeDigits) return std::nullopt;
  return departed;
}

void expect_output_topics(const kafka::Config& config, const StreamTopics& topics, std::chrono::milliseconds timeout) {
  const std::vector<std::string> outputs = topics.outputs();
  std::vector<std::string> names = outputs;
  names.push_back(topics.events);
  const auto partitions = kafka::partition_counts(config, names, timeout);
  const int input_partitions = partitions.back();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (partitions[i] == 0) throw std::runtime_error("topic " + outputs[i] + " does not exist (relmap topics create makes it)");
    const bool written_by_input_partition = i < 2 || i == 4;  // the changelog, the aggregates and their JSON
    if (written_by_input_partition && partitions[i] < input_partitions) {
      throw std::runtime_error("topic " + outputs[i] + " has " + std::to_string(partitions[i]) + " partition(s), fewer than the " +
                               std::to_string(input_partitions) + " of " + topics.events +
                               ": each case's state goes to its input partition");
    }
  }
}

RestoredPartitions restore_partitions(const kafka::Config& config, const StreamTopics& topics,
                                      const std::vector<std::int32_t>& partitions) {
  RestoredPartitions restored;
  for (auto& [partition, contents] : read_partitions(config, topics.changelog, partitions)) {
    aggregation::Aggregator aggregator;
    for (auto& [key, value] : contents) {
      if (key == kTotalsKey) {
        aggregator.restore_totals(readable_totals(value, topics.changelog));
      } else if (key.starts_with(kCaseKeyPrefix)) {
        aggregator.restore_case(key.substr(kCaseKeyPrefix.size()),
                                readable_case_state(key, value, changelog_decoder(), topics.changelog));
        ++restored.cases;
      }
    }
    restored.aggregators.emplace(partition, std::move(aggregator));
  }
  return restored;
}

void append_changed_cases(const StreamTopics& topics, std::int32_t partition, aggregation::Aggregator& aggregator,
                          std::vector<OutputRecord>& records) {
  auto changes = aggregator.take_changes();
  records.reserve(records.size() + changes.cases.size() + 2);
  if (changes.totals) {
    std::string totals = aggregation::encode_totals(aggregator.totals());
    records.push_back({&topics.changelog, partition, std::string(kTotalsKey), totals, {}});
    records.push_back({&topics.aggregates, partition, std::string(kTotalsKey), std::move(totals), {}});
    if (!topics.aggregates_json.empty()) {
      records.push_back({&topics.aggregates_json, partition, readable_totals_key(partition),
                         readable_totals(partition, aggregator.totals()), {}});
    }
  }
  for (auto& [key, state] : changes.cases) {
    records.push_back({&topics.changelog, partition, std::string(kCaseKeyPrefix) + key, aggregation::encode_case_state(*state), {}});
    if (!topics.aggregates_json.empty()) {
      records.push_back({&topics.aggregates_json, partition, readable_case_key(key),
                         readable_case(key, aggregation::life_of(*state), true, aggregation::facts_of(*state)), {}});
    }
  }
}

void append_expired_cases(const StreamTopics& topics, std::int32_t partition, aggregation::Aggregator& aggregator,
                          std::chrono::hours retention, std::vector<OutputRecord>& records) {
  for (const auto& [key, state] : aggregator.expire_idle_cases(retention)) {
    records.push_back({&topics.aggregates, partition, departed_case_key(key, state),
                       aggregation::encode_case_facts(aggregation::facts_of(state)), {}});
    records.push_back({&topics.changelog, partition, std::string(kCaseKeyPrefix) + key, std::string{}, {}});
    if (!topics.aggregates_json.empty()) {
      const auto life = aggregation::life_of(state);
      records.push_back({&topics.aggregates_json, partition, readable_departed_key(key, life),
                         readable_case(key, life, false, aggregation::facts_of(state)), {}});
      records.push_back({&topics.aggregates_json, partition, readable_case_key(key), std::string{}, {}});
    }
  }
}

aggregation::AggregatesBuilder read_case_facts(const kafka::Config& config, const StreamTopics& topics) {
  const auto partitions = all_partitions(config, {topics.changelog, topics.aggregates});
  const auto& changelog_partitions = partitions[0];
  const auto& aggregates_partitions = partitions[1];
  if (aggregates_partitions.empty()) throw std::runtime_error("topic " + topics.aggregates + " does not exist");
  aggregation::AggregatesBuilder builder;
  // The cases in memory first, from their state in the changelog, with the totals the same
  // transactions wrote beside them; then the aggregates topic, for the lives of cases that have left
  // memory. In this order a life that leaves memory meanwhile is read from one topic or from both,
  // never from neither; read from both, it counts once (the same life). The aggregates topic's
  // totals, read later, may already count batches whose cases the changelog read did not hold: they
  // stand in only for a partition whose changelog has none. Each partition's records are freed once
  // turned into facts: the peak holds all of them only at first.
  absl::flat_hash_map<std::string, std::uint64_t> life_in_memory;  // by case key
  std::set<std::int32_t> partitions_with_totals;
  auto changelog = read_partitions(config, topics.changelog, changelog_partitions);
  for (auto partition = changelog.begin(); partition != changelog.end(); partition = changelog.erase(partition)) {
    for (const auto& [key, value] : partition->second) {
      if (key == kTotalsKey) {
        builder.add_partition(readable_totals(value, topics.changelog));
        partitions_with_totals.insert(partition->first);
      }
      if (!key.starts_with(kCaseKeyPrefix)) continue;
      const aggregation::CaseState state = readable_case_state(key, value, changelog_decoder(), topics.changelog);
      std::string case_key = key.substr(kCaseKeyPrefix.size());
      life_in_memory.emplace(case_key, aggregation::life_of(state));
      builder.add_case(std::move(case_key), aggregation::facts_of(state));
    }
  }
  const auto add_facts = [&](std::string case_key, const std::string& key, const std::string& value) {
    auto facts = aggregation::decode_case_facts(value);
    if (!facts) throw std::runtime_error("unreadable case facts " + key + " in " + topics.aggregates);
    builder.add_case(std::move(case_key), std::move(*facts));
  };
  for (const auto& [partition, contents] : read_partitions(config, topics.aggregates, aggregates_partitions)) {
    std::vector<const std::pair<const std::string, std::string>*> earlier_builds_facts;
    for (const auto& record : contents) {
      const auto& [key, value] = record;
      if (key == kTotalsKey) {
        if (!partitions_with_totals.contains(partition)) builder.add_partition(readable_totals(value, topics.aggregates));
      } else if (auto departed = parse_departed_key(key)) {
        const auto in_memory = life_in_memory.find(departed->case_key);
        if (in_memory != life_in_memory.end() && in_memory->second == departed->life) continue;  // read from its state
        add_facts(std::move(departed->case_key), key, value);
      } else if (key.starts_with(kCaseKeyPrefix)) {
        earlier_builds_facts.push_back(&record);
      }
    }
    // Facts that earlier builds wrote under the case's own key (for every change, and as it left
    // memory) count only for a case of which nothing newer is read: a state, or a life that left
    // memory since. A case's records all share its partition.
    for (const auto* record : earlier_builds_facts) {
      std::string case_key = record->first.substr(kCaseKeyPrefix.size());
      if (!builder.has_case(case_key)) add_facts(std::move(case_key), record->first, record->second);
    }
  }
  return builder;
}

aggregation::AggregatesBuilder read_aggregates_snapshot(const kafka::Config& config, const StreamTopics& topics) {
  auto builder = read_case_facts(config, topics);
  // Every rejection, the producers' and the aggregator's own (transactional), is a committed record
  // of the dead-letter topic: that count is `rejected`.
  std::uint64_t dead_letters = 0;
  read_partitions(config, topics.dead_letter, all_partitions(config, topics.dead_letter),
                  [&](const kafka::Message&) { ++dead_letters; });
  builder.set_rejected(dead_letters);
  return builder;
}

graph::Aggregates read_aggregates(const kafka::Config& config, const StreamTopics& topics, const graph::Window& window) {
  return read_aggregates_snapshot(config, topics).build(window);
}

}  // namespace relmap::consumer
