// The headline findings: which departments, pairs and relationships come first, and which are left out.
#include "relmap/graph/findings.hpp"

#include <gtest/gtest.h>

#include "../../support/aggregates_support.hpp"

namespace relmap::graph {
namespace {

using relmap::testing::ask;

std::vector<std::string> ids(const RelationshipMap& map, const std::vector<std::size_t>& indices) {
  std::vector<std::string> result;
  for (const auto index : indices) result.push_back(map.departments[index].id);
  return result;
}

// Legal declines 9 of 10 (90%), Billing 1 of 10 (10%), IT 3 of 20 (15%), Tiny 2 of 2 (100%, but
// from too few requests to be a rate worth a headline).
RelationshipMap organisation() {
  Aggregates aggregates;
  ask(aggregates, "Sales", "Legal", 10, 9);
  ask(aggregates, "Sales", "Billing", 10, 1);
  ask(aggregates, "Sales", "IT", 20, 3);
  ask(aggregates, "Sales", "Tiny", 2, 2);
  ask(aggregates, "IT", "Sales", 1, 0);
  aggregates.edges[{"Billing", "Returns"}].ping_pong = 4;
  aggregates.edges[{"Returns", "Billing"}].ping_pong = 7;
  aggregates.departments.insert("Returns");
  return build_relationship_map(aggregates);
}

TEST(Findings, HotspotsAreTheHighestNotMyRoleRatesFromEnoughRequests) {
  const auto map = organisation();
  const auto findings = headline_findings(map);
  EXPECT_EQ(ids(map, findings.not_my_role_hotspots), (std::vector<std::string>{"Legal", "IT", "Billing"}));
  const auto two = headline_findings(map, {.listed = 2, .hotspot_minimum_requests = 2});
  EXPECT_EQ(ids(map, two.not_my_role_hotspots), (std::vector<std::string>{"Tiny", "Legal"}));
}

TEST(Findings, PingPongAndImbalancesComeStrongestFirst) {
  const auto map = organisation();
  const auto findings = headline_findings(map);
  ASSERT_EQ(findings.ping_pong.size(), 2u);
  EXPECT_EQ(map.edges[findings.ping_pong[0]].from, "Returns");
  EXPECT_EQ(map.edges[findings.ping_pong[1]].from, "Billing");
  // Sales-IT: IT resolved 17 for Sales, Sales 1 for IT: imbalance (17-1)/18 with 18 resolved, the only
  // flagged pair with at least 10 resolved requests; Sales-Legal has 1 resolved, Sales-Billing 9.
  ASSERT_EQ(findings.flagged_imbalances, 1u);
  const auto& pair = map.pairs[findings.strongest_imbalances.at(0)];
  EXPECT_EQ(pair.a + "/" + pair.b, "IT/Sales");
}

TEST(Findings, BrokersAreListedByBetweennessAndSilosAllKept) {
  const auto map = organisation();
  const auto findings = headline_findings(map);
  ASSERT_EQ(findings.brokers.size(), 3u);
  EXPECT_EQ(map.departments[findings.brokers[0]].id, "Sales") << "every path between the others goes through Sales";
  EXPECT_EQ(findings.silos.size(), map.silos.size());
  EXPECT_TRUE(findings.split_units.empty()) << "no directory, no units";
}

}  // namespace
}  // namespace relmap::graph
