// The state topics' key layout, which readers of the aggregates topic rely on.
#include "relmap/consumer/state_topics.hpp"

#include <gtest/gtest.h>

#include "relmap/schemas/decoder.hpp"

namespace relmap::consumer {
namespace {

using aggregation::Aggregator;
using aggregation::CaseState;
using aggregation::LateRejection;

// The aggregates topic's key of a life that left memory: readers split what the aggregator joined,
// whatever the case key holds.
TEST(DepartedKey, SplitsWhatTheAggregatorJoinedAndNothingElse) {
  static const schemas::Decoder decoder;
  Aggregator aggregator;
  std::vector<LateRejection> late;
  aggregator.apply(decoder.decode(R"({"v":1,"source":"t","event_id":"a1","type":"handoff","occurred_at":"2026-01-02T09:00:00Z","case_id":"A:1","from":"Sales","to":"Legal"})").value(), late);
  const CaseState& state = aggregator.cases().at("A:1");
  const auto departed = parse_departed_key(departed_case_key("A:1", state));
  ASSERT_TRUE(departed);
  EXPECT_EQ(departed->life, life_of(state));
  EXPECT_EQ(departed->case_key, "A:1");
  EXPECT_FALSE(parse_departed_key("c:A:1")) << "a state's key";
  EXPECT_FALSE(parse_departed_key("d:0123456789abcdeg:A")) << "not hex";
  EXPECT_FALSE(parse_departed_key("d:0123456789abcde:A")) << "15 digits";
  EXPECT_FALSE(parse_departed_key("d:0123456789abcdef")) << "no case";
}

}  // namespace
}  // namespace relmap::consumer
