// The request lifecycle and the edge, department and pair statistics on tests/data/events/lifecycle.jsonl,
// every expected value worked out by hand from docs/contract.md (see the comments).
#include "relmap/aggregation/aggregator.hpp"

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "relmap/graph/relationship_map.hpp"
#include "relmap/schemas/decoder.hpp"
#include "../../support/event_files.hpp"

namespace relmap::aggregation {
namespace {

using testing::FedAggregator;
using testing::feed_file;

graph::RelationshipMap map_of(const std::string& name, const graph::Window& window = {}) {
  return testing::map_of_file(name, window);
}

graph::RelationshipMap lifecycle_map(const graph::Window& window = {}) { return map_of("lifecycle.jsonl", window); }

const graph::Edge& edge(const graph::RelationshipMap& map, const std::string& from, const std::string& to) {
  for (const auto& candidate : map.edges) {
    if (candidate.from == from && candidate.to == to) return candidate;
  }
  static const graph::Edge none{};
  ADD_FAILURE() << "no edge " << from << " -> " << to;
  return none;
}

const graph::DepartmentStats& department(const graph::RelationshipMap& map, const std::string& id) {
  for (const auto& candidate : map.departments) {
    if (candidate.id == id) return candidate;
  }
  static const graph::DepartmentStats none{};
  ADD_FAILURE() << "no department " << id;
  return none;
}

TEST(Aggregator, CountsDistinctEventsDuplicatesAndRejects) {
  const auto map = lifecycle_map();
  // 16 decodable lines: one is r1 again (duplicate), p4 does not mirror r1 (rejected late); plus 1 bad line.
  EXPECT_EQ(map.totals.events, 14u);
  EXPECT_EQ(map.totals.duplicates, 1u);
  EXPECT_EQ(map.totals.rejected, 2u);
  EXPECT_EQ(map.totals.cases, 3u);
  EXPECT_EQ(map.watermark, "2026-03-05T12:00:00Z");
}

TEST(Aggregator, TheLatestResponseDecidesAndTiesGoByEventId) {
  const auto map = lifecycle_map();  // the edge is a reference into it
  const auto& a_b = edge(map, "A", "B");
  // p1 resolved and p2 declined at the same instant: p2 > p1, so r1 is declined.
  EXPECT_EQ(a_b.stats.requests, 1u);
  EXPECT_EQ(a_b.stats.declined, 1u);
  EXPECT_EQ(a_b.stats.resolved, 0u);
  EXPECT_EQ(a_b.stats.dead_ends(), 1u);
  EXPECT_EQ(a_b.response_time_p50_s, 3600.0);
  EXPECT_EQ(a_b.response_time_p90_s, 3600.0);
}

TEST(Aggregator, HoldsAResponseUntilItsRequestArrives) {
  const auto map = lifecycle_map();  // the edge is a reference into it
  const auto& a_c = edge(map, "A", "C");
  EXPECT_EQ(a_c.stats.requests, 1u);
  EXPECT_EQ(a_c.stats.resolved, 1u);
  EXPECT_EQ(a_c.response_time_p50_s, 3600.0);
}

TEST(Aggregator, ExpiredAgainstTheWatermarkElseOpen) {
  const auto map = lifecycle_map();
  // r3 due 03-03T12:00, before the watermark 03-05T12:00: expired. r4 due 03-08 (72 h): open.
  EXPECT_EQ(edge(map, "B", "C").stats.expired, 1u);
  EXPECT_EQ(edge(map, "B", "C").stats.dead_ends(), 1u);
  EXPECT_EQ(edge(map, "C", "A").stats.open, 1u);
  EXPECT_FALSE(edge(map, "C", "A").response_time_p50_s.has_value());
}

TEST(Aggregator, RejectsAResponseThatDoesNotMirrorItsRequest) {
  FedAggregator fed;
  feed_file(fed, "lifecycle.jsonl");
  ASSERT_EQ(fed.late.size(), 1u);
  EXPECT_EQ(fed.late[0].event.event_id, "p4");
  EXPECT_EQ(fed.late[0].code, "response_mismatch");
  EXPECT_EQ(fed.late[0].reason, "/from: the request r1 was made to B, not C");
}

TEST(Aggregator, PingPongInEventTimeEvenWhenHandoffsArriveOutOfOrder) {
  const auto map = lifecycle_map();
  // K2 in event time: A->B 01:00, B->A 02:00, A->B 03:00 (B->A arrived last).
  EXPECT_EQ(edge(map, "A", "B").stats.handoffs, 2u);
  EXPECT_EQ(edge(map, "B", "A").stats.handoffs, 1u);
  EXPECT_EQ(edge(map, "B", "A").stats.ping_pong, 1u);  // A->B then B->A
  EXPECT_EQ(edge(map, "A", "B").stats.ping_pong, 1u);  // B->A then A->B
}

TEST(Aggregator, FeedbackIsAboutTheOwnerWhenItNamesNone) {
  const auto map = lifecycle_map();
  // f2 at 02:30 in K2: latest handoff before it is B->A, so about A. f1 in K1 (no handoff): the first
  // request by time is r2 (07:00) to C.
  EXPECT_EQ(department(map, "A").unsolved, 1u);
  EXPECT_EQ(department(map, "C").solved, 1u);
  EXPECT_EQ(department(map, "B").solved + department(map, "B").unsolved, 0u);
}

TEST(Aggregator, DepartmentStatistics) {
  const auto map = lifecycle_map();
  ASSERT_EQ(map.departments.size(), 3u);
  const auto& a = department(map, "A");
  EXPECT_EQ(a.requests_made, 2u);
  EXPECT_EQ(a.requests_received, 1u);
  EXPECT_EQ(a.gives, 0u);
  EXPECT_EQ(a.gets, 1u);
  EXPECT_EQ(a.give_ratio, 0.0);
  EXPECT_EQ(a.not_my_role_rate, 0.0);
  EXPECT_EQ(a.handoffs_out, 2u);
  EXPECT_EQ(a.handoffs_in, 1u);
  const auto& b = department(map, "B");
  EXPECT_FALSE(b.give_ratio.has_value()) << "no resolved request either way";
  EXPECT_EQ(b.not_my_role_rate, 1.0);
  EXPECT_EQ(b.dead_end_rate, 1.0);
  EXPECT_EQ(b.andon, 1u);
  const auto& c = department(map, "C");
  EXPECT_EQ(c.requests_received, 2u);
  EXPECT_EQ(c.gives, 1u);
  EXPECT_EQ(c.give_ratio, 1.0);
  EXPECT_EQ(c.dead_end_rate, 0.5);
  // Self-consistency: what A gets from C is what C gives to A.
  ASSERT_EQ(map.pairs.size(), 1u);
  EXPECT_EQ(map.pairs[0].a, "A");
  EXPECT_EQ(map.pairs[0].b, "C");
  EXPECT_EQ(map.pairs[0].gives, 0u);
  EXPECT_EQ(map.pairs[0].gets, 1u);
  EXPECT_EQ(map.pairs[0].imbalance, -1.0);
  EXPECT_FALSE(map.pairs[0].flagged) << "fewer than 10 resolved requests";
}

TEST(Aggregator, AWindowSelectsRequestsByTheirDayAndOtherEventsByTheirOwn) {
  const auto map = lifecycle_map({std::string("2026-03-04"), std::nullopt});
  EXPECT_EQ(map.window.from, "2026-03-04");
  // r1-r3 are from 03-02 and 03-03; r4 (03-05) is in. Handoffs (03-04), feedback, andon are in.
  std::uint64_t requests = 0;
  for (const auto& candidate : map.edges) requests += candidate.stats.requests;
  EXPECT_EQ(requests, 1u);
  EXPECT_EQ(edge(map, "A", "B").stats.handoffs, 2u);
  EXPECT_EQ(edge(map, "C", "B").stats.andon, 1u);
  EXPECT_TRUE(map.pairs.empty());
  const auto empty = lifecycle_map({std::string("2027-01-01"), std::nullopt});
  EXPECT_TRUE(empty.edges.empty());
  EXPECT_EQ(empty.departments.size(), 3u) << "departments are listed whatever the window";
}

/// A handoff from A to B in `case_id` at `at`.
schemas::Event handoff(const std::string& id, const std::string& case_id, const std::string& at) {
  static const schemas::Decoder decoder;
  return decoder
      .decode(R"({"event_id":")" + id + R"(","type":"handoff","v":1,"occurred_at":")" + at + R"(","case_id":")" + case_id +
              R"(","source":"t","from":"A","to":"B"})")
      .value();
}

TEST(Aggregator, IdleCasesLeaveMemoryAfterTheRetentionPeriod) {
  Aggregator aggregator;
  std::vector<LateRejection> late;
  aggregator.apply(handoff("old", "OLD", "2026-01-01T00:00:00Z"), late);
  aggregator.apply(handoff("recent", "RECENT", "2026-03-01T00:00:00Z"), late);
  aggregator.apply(handoff("now", "NOW", "2026-04-15T00:00:00Z"), late);
  const auto expired = aggregator.expire_idle_cases(std::chrono::hours{24 * 90});
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].first, "OLD") << "idle more than 90 days before the watermark";
  ASSERT_EQ(expired[0].second.handoffs.size(), 1u) << "it leaves with its state, whose facts are written then";
  EXPECT_EQ(expired[0].second.handoffs[0].event_id, "old");
  EXPECT_EQ(aggregator.cases_in_memory(), 2u);
  EXPECT_EQ(aggregator.totals().totals.events, 3u) << "its events stay counted";
}

// The contract says a repeated event_id counts once; events are partitioned by case, so its scope
// is the case (docs: schemas/README.md). The same id in two cases is two events.
TEST(Aggregator, ARepeatedEventIdIsADuplicateWithinItsCaseAndTwoEventsAcrossCases) {
  Aggregator aggregator;
  std::vector<LateRejection> late;
  aggregator.apply(handoff("e1", "CASE-1", "2026-03-01T00:00:00Z"), late);
  aggregator.apply(handoff("e1", "CASE-1", "2026-03-01T00:00:00Z"), late);
  aggregator.apply(handoff("e1", "CASE-2", "2026-03-01T00:00:00Z"), late);
  EXPECT_EQ(aggregator.totals().totals.events, 2u);
  EXPECT_EQ(aggregator.totals().totals.duplicates, 1u);
}

// totals.cases counted only cases with a handoff (3,820 of BPIC 2013's 7,554 traces) and departments
// left out teams that never handed a case on. A handoff without `from` opens the case at `to`: the
// case and its department count, its owner is known, and it is no relationship.
TEST(Aggregator, ACaseThatOpensAndNeverMovesIsACaseWithAnOwnerButNoRelationship) {
  static const schemas::Decoder decoder;
  const auto event = [](const std::string& fields) {
    return decoder.decode(R"({"type":"handoff","v":1,"source":"t",)" + fields + "}").value();
  };
  Aggregator aggregator;
  std::vector<LateRejection> late;
  aggregator.apply(event(R"("event_id":"o1","case_id":"STAYED","occurred_at":"2026-03-02T09:00:00Z","to":"Desk")"), late);
  aggregator.apply(decoder.decode(R"({"event_id":"f1","type":"feedback","v":1,"source":"t","case_id":"STAYED",)"
                                  R"("occurred_at":"2026-03-02T10:00:00Z","solved":false})").value(), late);
  aggregator.apply(event(R"("event_id":"o2","case_id":"MOVED","occurred_at":"2026-03-02T09:00:00Z","to":"Desk")"), late);
  aggregator.apply(event(R"("event_id":"h1","case_id":"MOVED","occurred_at":"2026-03-02T10:00:00Z","from":"Desk","to":"Net")"), late);
  aggregator.apply(event(R"("event_id":"h2","case_id":"MOVED","occurred_at":"2026-03-02T11:00:00Z","from":"Net","to":"Desk")"), late);
  ASSERT_TRUE(late.empty());

  const auto aggregates = collect_aggregates({&aggregator}, {});
  EXPECT_EQ(aggregates.totals.events, 5u);
  EXPECT_EQ(aggregates.totals.cases, 2u);
  EXPECT_EQ(aggregates.totals.cases_without_handoff, 1u);
  const auto map = graph::build_relationship_map(aggregates);
  ASSERT_EQ(map.departments.size(), 2u);
  EXPECT_EQ(map.edges.size(), 2u) << "Desk -> Net and back; an opening is no edge";
  EXPECT_EQ(edge(map, "Desk", "Net").stats.handoffs, 1u);
  EXPECT_EQ(edge(map, "Net", "Desk").stats.handoffs, 1u);
  EXPECT_EQ(edge(map, "Net", "Desk").stats.ping_pong, 1u) << "sent straight back after the opening";
  EXPECT_EQ(department(map, "Desk").handoffs_in, 1u);
  EXPECT_EQ(department(map, "Desk").unsolved, 1u) << "the feedback is about the owner the opening set";

  ASSERT_EQ(aggregates.chains.size(), 2u);
  const auto chain = [&](const std::string& case_id) {
    return std::find_if(aggregates.chains.begin(), aggregates.chains.end(),
                        [&](const auto& candidate) { return candidate.case_id == case_id; })->owners;
  };
  EXPECT_EQ(chain("STAYED"), (std::vector<std::string>{"Desk"}));
  EXPECT_EQ(chain("MOVED"), (std::vector<std::string>{"Desk", "Net", "Desk"}));
}

// A case that leaves memory and comes back: both lives count, and the case once, as if it had never
// left (no response in one life answers a request of the other; the feedback names its department).
// Its second life's first handoff sends it back to where its first life's last one came from.
TEST(AggregatesBuilder, JoinsTheLivesOfACaseThatLeftMemoryAndCameBack) {
  static const schemas::Decoder decoder;
  const auto event = [](const std::string& fields) {
    return decoder.decode(R"({"v":1,"source":"t",)" + fields + "}").value();
  };
  const std::vector<schemas::Event> first_life = {
      event(R"("event_id":"a1","type":"request","occurred_at":"2026-01-01T09:00:00Z","case_id":"A","from":"Sales","to":"Legal","request_id":"r1")"),
      event(R"("event_id":"a2","type":"response","occurred_at":"2026-01-01T10:00:00Z","case_id":"A","from":"Legal","to":"Sales","request_id":"r1","outcome":"resolved")"),
      event(R"("event_id":"a3","type":"handoff","occurred_at":"2026-01-02T09:00:00Z","case_id":"A","from":"Sales","to":"Legal")"),
      event(R"("event_id":"b1","type":"handoff","occurred_at":"2026-06-01T09:00:00Z","case_id":"B","from":"Sales","to":"Finance")")};
  const std::vector<schemas::Event> second_life = {
      event(R"("event_id":"a4","type":"handoff","occurred_at":"2026-07-01T09:00:00Z","case_id":"A","from":"Legal","to":"Sales")"),
      event(R"("event_id":"a5","type":"request","occurred_at":"2026-07-01T10:00:00Z","case_id":"A","from":"Finance","to":"Sales","request_id":"r2")"),
      event(R"("event_id":"a6","type":"response","occurred_at":"2026-07-02T10:00:00Z","case_id":"A","from":"Sales","to":"Finance","request_id":"r2","outcome":"declined")"),
      event(R"("event_id":"a7","type":"feedback","occurred_at":"2026-07-03T10:00:00Z","case_id":"A","solved":false,"about":"Sales")")};
  std::vector<LateRejection> late;
  Aggregator never_left;
  Aggregator left_and_came_back;
  for (const auto& e : first_life) {
    never_left.apply(e, late);
    left_and_came_back.apply(e, late);
  }
  const auto departed = left_and_came_back.expire_idle_cases(std::chrono::hours{24 * 30});
  ASSERT_EQ(departed.size(), 1u);
  ASSERT_EQ(departed[0].first, "A");
  for (const auto& e : second_life) {
    never_left.apply(e, late);
    left_and_came_back.apply(e, late);
  }
  ASSERT_TRUE(late.empty());
  EXPECT_NE(life_of(departed[0].second), life_of(left_and_came_back.cases().at("A")));

  // As the streaming reader adds them: the states in memory, then the lives that left memory.
  AggregatesBuilder builder;
  builder.add_partition(left_and_came_back.totals());
  for (const auto& [key, state] : left_and_came_back.cases()) builder.add_case(key, facts_of(state));
  builder.add_case("A", facts_of(departed[0].second));
  const auto joined = graph::build_relationship_map(builder.build({}));
  EXPECT_EQ(joined.totals.cases, 2u);
  EXPECT_EQ(edge(joined, "Sales", "Legal").stats.resolved, 1u) << "the first life's request";
  EXPECT_EQ(edge(joined, "Finance", "Sales").stats.declined, 1u) << "the second life's request";
  EXPECT_EQ(edge(joined, "Legal", "Sales").stats.ping_pong, 1u) << "Sales to Legal, then Legal to Sales";
  EXPECT_EQ(graph::to_json(joined), graph::to_json(graph::build_relationship_map(collect_aggregates({&never_left}, {}))));
}

TEST(Aggregator, ListsEachChangedCaseOnceAndNoExpiredOne) {
  Aggregator aggregator;
  std::vector<LateRejection> late;
  using Keys = std::vector<std::string>;
  const auto expire_idle_cases = [&] {
    Keys keys;
    for (const auto& [key, state] : aggregator.expire_idle_cases(std::chrono::hours{24 * 90})) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  // What changed, as keys: "" for the totals, then the cases' keys; each case with its own state.
  const auto take_changed_cases = [&] {
    const auto changes = aggregator.take_changes();
    Keys keys;
    if (changes.totals) keys.emplace_back();
    for (const auto& [key, state] : changes.cases) {
      EXPECT_EQ(state, &aggregator.cases().at(key)) << key;
      keys.push_back(key);
    }
    return keys;
  };
  EXPECT_EQ(take_changed_cases(), Keys{});
  aggregator.apply(handoff("a1", "A", "2026-04-01T00:00:00Z"), late);
  aggregator.apply(handoff("b1", "B", "2026-04-01T00:00:00Z"), late);
  aggregator.apply(handoff("a2", "A", "2026-04-02T00:00:00Z"), late);
  EXPECT_EQ(take_changed_cases(), (Keys{"", "A", "B"})) << "\"\" is the totals";
  EXPECT_EQ(take_changed_cases(), Keys{});

  aggregator.apply(handoff("a1", "A", "2026-04-01T00:00:00Z"), late);
  EXPECT_EQ(take_changed_cases(), Keys{""}) << "a duplicate changes the totals only";
  aggregator.count_rejected();
  EXPECT_EQ(take_changed_cases(), Keys{""});

  aggregator.apply(handoff("b2", "B", "2026-04-03T00:00:00Z"), late);
  aggregator.apply(handoff("c1", "C", "2026-12-01T00:00:00Z"), late);
  EXPECT_EQ(expire_idle_cases(), (Keys{"A", "B"}));
  EXPECT_EQ(take_changed_cases(), (Keys{"", "C"})) << "an expired case is not written";

  aggregator.apply(handoff("b3", "B", "2026-12-02T00:00:00Z"), late);
  EXPECT_EQ(expire_idle_cases(), Keys{});
  aggregator.apply(handoff("c2", "C", "2026-12-02T00:00:00Z"), late);
  EXPECT_EQ(take_changed_cases(), (Keys{"", "B", "C"}));
}

TEST(NearestRank, IsTheCeilOfQTimesNthSmallest) {
  EXPECT_EQ(graph::nearest_rank({5, 1, 3, 2, 4}, 0.5), 3.0);    // ceil(2.5) = 3rd
  EXPECT_EQ(graph::nearest_rank({5, 1, 3, 2, 4}, 0.9), 5.0);    // ceil(4.5) = 5th
  EXPECT_EQ(graph::nearest_rank({1, 2, 3, 4}, 0.5), 2.0);       // ceil(2) = 2nd
  EXPECT_EQ(graph::nearest_rank({7}, 0.9), 7.0);
  EXPECT_FALSE(graph::nearest_rank({}, 0.5).has_value());
}

// chains.jsonl: C1 X>Y>Z, then Z asks W, declined, nothing follows: a dead end at the 3rd owner, at W.
// C2 the same, but Z hands on to V afterwards: open. C3 like C1 but the request expires (due 04-01
// 12:00, watermark 04-03 09:00). C4, C5, C6: requests X->Y only (owner Y): resolved, declined, open.
TEST(Chains, EndStatesLengthsAndMostFrequentChains) {
  const auto map = map_of("chains.jsonl");
  const auto& chains = map.chains;
  EXPECT_EQ(chains.cases, 6u);
  EXPECT_EQ(chains.solved, 1u);
  EXPECT_EQ(chains.dead_ends, 3u);
  EXPECT_EQ(chains.open, 2u);
  EXPECT_EQ(chains.mean_length, 13.0 / 6) << "owners: 3 + 4 + 3 + 1 + 1 + 1";
  ASSERT_EQ(chains.most_frequent.size(), 3u);
  EXPECT_EQ(chains.most_frequent[0].owners, (std::vector<std::string>{"Y"}));
  EXPECT_EQ(chains.most_frequent[0].cases, 3u);
  EXPECT_EQ(chains.most_frequent[0].solved, 1u);
  EXPECT_EQ(chains.most_frequent[0].dead_ends, 1u);
  EXPECT_EQ(chains.most_frequent[0].open, 1u);
  EXPECT_EQ(chains.most_frequent[1].owners, (std::vector<std::string>{"X", "Y", "Z"}));
  EXPECT_EQ(chains.most_frequent[1].dead_ends, 2u);
  EXPECT_EQ(chains.most_frequent[2].owners, (std::vector<std::string>{"X", "Y", "Z", "V"}));
  EXPECT_EQ(chains.most_frequent[2].open, 1u);
}

TEST(Chains, WhereDeadEndsHappen) {
  const auto map = map_of("chains.jsonl");
  EXPECT_EQ(map.chains.dead_ends_by_step, (std::vector<std::uint64_t>{1, 0, 2}));
  EXPECT_EQ(map.chains.dead_ends_by_department,
            (std::vector<std::pair<std::string, std::uint64_t>>{{"W", 2}, {"Y", 1}}));
}

TEST(Chains, AWindowTakesTheCasesThatStartedInIt) {
  const auto map = map_of("chains.jsonl", {std::string("2026-04-02"), std::string("2026-04-02")});
  EXPECT_EQ(map.chains.cases, 2u) << "C4 and C5";
  EXPECT_EQ(map.chains.solved, 1u);
  EXPECT_EQ(map.chains.dead_ends, 1u);
}

TEST(Topics, RankedByVolumeThenDeadEnds) {
  const auto map = map_of("chains.jsonl");
  ASSERT_EQ(map.topics.size(), 3u);
  EXPECT_EQ(map.topics[0].topic, "parts") << "2 requests, 2 dead ends (C1 declined, C3 expired)";
  EXPECT_EQ(map.topics[0].from, "Z");
  EXPECT_EQ(map.topics[0].to, "W");
  EXPECT_EQ(map.topics[0].requests, 2u);
  EXPECT_EQ(map.topics[0].dead_ends, 2u);
  EXPECT_EQ(map.topics[1].topic, "refund") << "2 requests, 1 dead end";
  EXPECT_EQ(map.topics[1].dead_ends, 1u);
  EXPECT_EQ(map.topics[2].topic, "invoice");
  EXPECT_EQ(map.topics[2].requests, 1u);
  EXPECT_EQ(map.topics[2].dead_ends, 0u);
}

}  // namespace
}  // namespace relmap::aggregation
