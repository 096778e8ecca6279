#pragma once
// The relationship map as one Boost.Graph with one index, shared by the analytics, the exports and
// the reports (compare Boost's example/actor_clustering.cpp).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// Vertex v is map.departments[v]; each edge is one relationship of map.edges, in its order. The
/// bundled properties are the map's own records, not copies: the map must outlive the graph and keep
/// its departments and edges (their statistics may still be filled in, as the analytics do).
class RelationshipGraph {
 public:
  struct DepartmentProperties {
    const DepartmentStats* department = nullptr;
  };
  struct RelationshipProperties {
    const Edge* edge = nullptr;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, DepartmentProperties,
                                      RelationshipProperties>;
  using Vertex = Graph::vertex_descriptor;

  explicit RelationshipGraph(const RelationshipMap& map);

  const Graph& graph() const { return graph_; }
  const RelationshipMap& map() const { return map_; }
  std::size_t size() const { return map_.departments.size(); }

  /// The vertex of a department id.
  std::optional<Vertex> vertex(std::string_view id) const;
  /// Throws std::out_of_range for an id that is not in the map.
  Vertex vertex_of(std::string_view id) const;
  const DepartmentStats& department(Vertex vertex) const { return *graph_[vertex].department; }
  /// The relationship from one department to another, if there is one.
  const Edge* edge(std::string_view from, std::string_view to) const;
  /// The relationships a department takes part in: those it starts, then those it receives, each in
  /// the map's order (a relationship to itself is in both).
  std::vector<const Edge*> edges_of(std::string_view id) const;

 private:
  const RelationshipMap& map_;
  Graph graph_;
  std::unordered_map<std::string_view, Vertex> index_;  ///< views of the map's ids
};

}  // namespace relmap::graph
