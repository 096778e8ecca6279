#pragma once
// The aggregates in a documented, versioned JSON form (schemas/output/aggregates.v1.*.schema.json),
// for readers other than relmap (ksqlDB, Kafka Connect, kcat, a script): written beside the compact
// form, in the same transactions, to the topic StreamTopics::aggregates_json names (when it names one).

#include <cstdint>
#include <string>
#include <string_view>

#include "relmap/aggregation/aggregator.hpp"

namespace relmap::consumer {

/// Keys: "totals:<partition>", "case:<case id>" (the life in memory, replaced as it changes and
/// deleted when it leaves memory), "departed:<life>:<case id>" (a life that left memory, final).
std::string readable_totals_key(std::int32_t partition);
std::string readable_case_key(std::string_view case_key);
std::string readable_departed_key(std::string_view case_key, std::uint64_t life);

std::string readable_totals(std::int32_t partition, const aggregation::PartitionTotals& totals);
/// One life of a case: its facts, which life it is, and whether it is still in memory.
std::string readable_case(std::string_view case_key, std::uint64_t life, bool in_memory, const aggregation::CaseFacts& facts);

}  // namespace relmap::consumer
