// The map as one Boost.Graph: the index the analytics, the exports and the reports share.
#include "relmap/graph/relationship_graph.hpp"

#include <gtest/gtest.h>

namespace relmap::graph {
namespace {

RelationshipMap small_map() {
  Aggregates aggregates;
  for (const auto& [from, to] : std::vector<std::pair<const char*, const char*>>{{"A", "B"}, {"B", "A"}, {"B", "C"}, {"C", "C"}}) {
    aggregates.edges[{from, to}].handoffs = 1;
    aggregates.departments.insert(from);
    aggregates.departments.insert(to);
  }
  aggregates.departments.insert("Lonely");
  return build_relationship_map(aggregates);
}

TEST(RelationshipGraph, VertexIIsTheMapsDepartmentIAndEachEdgeItsRelationship) {
  const auto map = small_map();
  const RelationshipGraph graph(map);
  ASSERT_EQ(boost::num_vertices(graph.graph()), map.departments.size());
  ASSERT_EQ(boost::num_edges(graph.graph()), map.edges.size());
  for (std::size_t i = 0; i < map.departments.size(); ++i) {
    EXPECT_EQ(graph.vertex(map.departments[i].id), i);
    EXPECT_EQ(&graph.department(i), &map.departments[i]) << "the map's own record, not a copy";
  }
  for (const auto& edge : map.edges) EXPECT_EQ(graph.edge(edge.from, edge.to), &edge) << edge.from << "->" << edge.to;
  EXPECT_EQ(graph.edge("C", "B"), nullptr) << "B -> C is not C -> B";
  EXPECT_EQ(graph.edge("A", "Nobody"), nullptr);
  EXPECT_EQ(graph.vertex("Nobody"), std::nullopt);
  EXPECT_THROW(graph.vertex_of("Nobody"), std::out_of_range);
}

TEST(RelationshipGraph, ADepartmentsEdgesAreThoseItStartsThenThoseItReceives) {
  const auto map = small_map();
  const RelationshipGraph graph(map);
  const auto text = [](const std::vector<const Edge*>& edges) {
    std::string joined;
    for (const auto* edge : edges) joined += edge->from + ">" + edge->to + " ";
    return joined;
  };
  EXPECT_EQ(text(graph.edges_of("B")), "B>A B>C A>B ");
  EXPECT_EQ(text(graph.edges_of("C")), "C>C B>C C>C ") << "a relationship to itself is in both";
  EXPECT_EQ(text(graph.edges_of("Lonely")), "");
  EXPECT_EQ(text(graph.edges_of("Nobody")), "");
}

}  // namespace
}  // namespace relmap::graph
