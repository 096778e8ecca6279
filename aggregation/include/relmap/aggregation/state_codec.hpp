#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::aggregation {

/// The records the changelog and aggregates topics hold: msgpack arrays, the first element the format
/// version. Times are integer microseconds since the epoch (exact and compact). Decoding returns
/// nullopt for a record this version cannot read (another format version, or the JSON of earlier builds).
std::string encode_case_state(const CaseState& state);
std::optional<CaseState> decode_case_state(std::string_view bytes, const schemas::Decoder& decoder);

std::string encode_case_facts(const CaseFacts& facts);
std::optional<CaseFacts> decode_case_facts(std::string_view bytes);

std::string encode_totals(const PartitionTotals& totals);
std::optional<PartitionTotals> decode_totals(std::string_view bytes);

}  // namespace relmap::aggregation
