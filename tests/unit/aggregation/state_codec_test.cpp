#include "relmap/aggregation/state_codec.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "relmap/graph/relationship_map.hpp"
#include "relmap/schemas/decoder.hpp"
#include "../../support/event_files.hpp"

namespace relmap::aggregation {
namespace {

Aggregator lifecycle() { return testing::aggregator_of_file("lifecycle.jsonl"); }

std::string map_json(const graph::Aggregates& aggregates) {
  return graph::to_json(graph::build_relationship_map(aggregates));
}

TEST(StateCodec, ARestoredAggregatorAnswersAsTheOriginal) {
  const Aggregator original = lifecycle();
  const schemas::Decoder decoder;
  Aggregator restored;
  for (const auto& [key, state] : original.cases()) {
    auto decoded = decode_case_state(encode_case_state(state), decoder);
    ASSERT_TRUE(decoded.has_value()) << key;
    restored.restore_case(key, std::move(*decoded));
  }
  const auto totals = decode_totals(encode_totals(original.totals()));
  ASSERT_TRUE(totals.has_value());
  restored.restore_totals(*totals);
  EXPECT_EQ(map_json(collect_aggregates({&restored}, {})), map_json(collect_aggregates({&original}, {})));

  // And it goes on exactly as the original would: the held response of r9 still waits, a duplicate is known.
  const auto r1_again = decoder.decode(
      R"({"event_id":"r1","type":"request","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"K1","source":"t","from":"A","to":"B"})");
  std::vector<LateRejection> late;
  EXPECT_EQ(restored.apply(r1_again.value(), late), Aggregator::Applied::duplicate);
  const auto r9 = decoder.decode(
      R"({"event_id":"r9","type":"request","v":1,"occurred_at":"2026-03-02T11:00:00Z","case_id":"K3","source":"t","from":"A","to":"B"})");
  restored.apply(r9.value(), late);
  const auto map = graph::build_relationship_map(collect_aggregates({&restored}, {}));
  for (const auto& edge : map.edges) {
    if (edge.from == "A" && edge.to == "B") {
      EXPECT_EQ(edge.stats.resolved, 1u) << "p5 was applied to r9";
    }
  }
}

TEST(StateCodec, FactsReadBackGiveTheSameMap) {
  const Aggregator original = lifecycle();
  AggregatesBuilder builder;
  builder.add_partition(*decode_totals(encode_totals(original.totals())));
  for (const auto& [key, state] : original.cases()) {
    auto facts = decode_case_facts(encode_case_facts(facts_of(state)));
    ASSERT_TRUE(facts.has_value()) << key;
    builder.add_case(key, std::move(*facts));
  }
  EXPECT_EQ(map_json(builder.build({})), map_json(collect_aggregates({&original}, {})));
}

TEST(StateCodec, RefusesWhatItCannotRead) {
  const schemas::Decoder decoder;
  const Aggregator original = lifecycle();
  const std::string state = encode_case_state(original.cases().begin()->second);
  const std::string facts = encode_case_facts(facts_of(original.cases().begin()->second));
  const std::string totals = encode_totals(original.totals());
  ASSERT_TRUE(decode_case_state(state, decoder));
  ASSERT_TRUE(decode_case_facts(facts));
  ASSERT_TRUE(decode_totals(totals));

  // Cut short, or each record read as another kind.
  EXPECT_FALSE(decode_case_state(state.substr(0, state.size() - 1), decoder));
  EXPECT_FALSE(decode_case_facts(facts.substr(0, facts.size() - 1)));
  EXPECT_FALSE(decode_totals(totals.substr(0, totals.size() - 1)));
  EXPECT_FALSE(decode_case_state(facts, decoder));
  EXPECT_FALSE(decode_case_facts(totals));
  EXPECT_FALSE(decode_totals(state));
  // Another format version (the byte after the array header), and the JSON of relmap before msgpack.
  std::string next_version = totals;
  next_version[1] = 2;
  EXPECT_FALSE(decode_totals(next_version));
  EXPECT_FALSE(decode_totals(R"({"events":1,"duplicates":0,"rejected":0,"cases":1})"));
  EXPECT_FALSE(decode_case_state("", decoder));
}

}  // namespace
}  // namespace relmap::aggregation
