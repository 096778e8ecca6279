#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "relmap/consumer/aggregator.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::consumer {

/// The JSON the changelog and aggregates topics hold. Times are integer microseconds since the epoch
/// (exact and compact). Decoding returns nullopt for a record this version cannot read.
std::string encode_case_state(const CaseState& state);
std::optional<CaseState> decode_case_state(std::string_view json, const schemas::Decoder& decoder);

std::string encode_case_facts(const CaseFacts& facts);
std::optional<CaseFacts> decode_case_facts(std::string_view json);

std::string encode_totals(const PartitionTotals& totals);
std::optional<PartitionTotals> decode_totals(std::string_view json);

}  // namespace relmap::consumer
