#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

namespace relmap::graph {

struct Department {
  std::string id;
};

struct Relationship {
  std::uint64_t interactions = 0;  ///< requests and handoffs from source to target
};

/// The relationship map: departments as vertices, directed relationships as edges, on Boost.Graph
/// with bundled properties. Owns the one id -> vertex index. Never depends on Kafka.
///
/// Threading: not thread-safe; build, then read.
class RelationshipGraph {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, Department, Relationship>;
  using Vertex = Graph::vertex_descriptor;

  /// The department's vertex, added when new.
  Vertex department(const std::string& id);
  /// Adds `count` interactions from -> to (creating both departments and the edge as needed).
  void add_interactions(const std::string& from, const std::string& to, std::uint64_t count);

  std::size_t department_count() const { return boost::num_vertices(graph_); }
  std::size_t relationship_count() const { return boost::num_edges(graph_); }

  /// Groups of departments connected by any relationship (direction ignored), largest first;
  /// departments inside a group sorted by id.
  std::vector<std::vector<std::string>> connected_groups() const;

  struct RankedRelationship {
    std::string from;
    std::string to;
    std::uint64_t interactions;
  };
  /// The `limit` relationships with the most interactions (ties by from, then to).
  std::vector<RankedRelationship> strongest(std::size_t limit) const;

  const Graph& graph() const { return graph_; }

 private:
  Graph graph_;
  std::unordered_map<std::string, Vertex> index_;
};

}  // namespace relmap::graph
