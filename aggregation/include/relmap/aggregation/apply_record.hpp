#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::aggregation {

/// What one record did to its partition's aggregator.
struct RecordOutcome {
  std::optional<schemas::DecodeError> invalid;                 ///< set: it did not decode, counted rejected
  Aggregator::Applied applied = Aggregator::Applied::counted;  ///< else: counted, or a duplicate
};

/// The one step from a record to the statistics: decodes it into `event` (a buffer the caller reuses
/// from record to record, so that its strings keep their memory) and applies the event, or counts the
/// record rejected. The stream, `relmap map --events` and the tests all take this step, so that a
/// file computed offline equals the same file streamed. Responses found not to mirror their request
/// are appended to `late`.
RecordOutcome apply_record(Aggregator& aggregator, const schemas::Decoder& decoder, std::string_view record,
                           schemas::Event& event, std::vector<LateRejection>& late);

}  // namespace relmap::aggregation
