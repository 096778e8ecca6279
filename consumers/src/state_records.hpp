#pragma once
// What the aggregator writes to the state topics (their readers are in relmap/consumer/state_topics.hpp).

#include <chrono>
#include <cstdint>
#include <vector>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/consumer/state_topics.hpp"
#include "transactional_committer.hpp"

namespace relmap::consumer {

/// The changelog records of a partition's cases changed since the last call, and its totals (in the
/// changelog and the aggregates topic) when they changed. A case's facts are not written while it is
/// in memory: they follow from its state, which readers take from the changelog (half the bytes a
/// change costs the broker and this process).
void append_changed_cases(const StreamTopics& topics, std::int32_t partition, aggregation::Aggregator& aggregator,
                          std::vector<OutputRecord>& records);

/// Takes the partition's cases idle for longer than `retention` out of memory and out of the changelog
/// (a tombstone); the facts of their lives go to the aggregates topic, in the same transaction, and
/// stay there.
void append_expired_cases(const StreamTopics& topics, std::int32_t partition, aggregation::Aggregator& aggregator,
                          std::chrono::hours retention, std::vector<OutputRecord>& records);

}  // namespace relmap::consumer
