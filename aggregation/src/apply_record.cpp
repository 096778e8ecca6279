#include "relmap/aggregation/apply_record.hpp"

namespace relmap::aggregation {

RecordOutcome apply_record(Aggregator& aggregator, const schemas::Decoder& decoder, std::string_view record,
                           schemas::Event& event, std::vector<LateRejection>& late) {
  if (auto invalid = decoder.decode_into(record, event)) {
    aggregator.count_rejected();
    return {std::move(invalid), Aggregator::Applied::counted};
  }
  return {std::nullopt, aggregator.apply(event, late)};
}

}  // namespace relmap::aggregation
