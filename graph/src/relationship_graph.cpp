#include "relmap/graph/relationship_graph.hpp"

#include <stdexcept>

#include <boost/range/iterator_range.hpp>

namespace relmap::graph {

RelationshipGraph::RelationshipGraph(const RelationshipMap& map) : map_(map), graph_(map.departments.size()) {
  index_.reserve(map.departments.size());
  for (std::size_t i = 0; i < map.departments.size(); ++i) {
    graph_[i].department = &map.departments[i];
    index_.emplace(map.departments[i].id, i);
  }
  // Edges come by `from`: each one looked up once.
  const std::string* previous_from = nullptr;
  Vertex from = 0;
  for (const auto& edge : map.edges) {
    if (previous_from == nullptr || *previous_from != edge.from) {
      from = vertex_of(edge.from);
      previous_from = &edge.from;
    }
    boost::add_edge(from, vertex_of(edge.to), RelationshipProperties{&edge}, graph_);
  }
}

std::optional<RelationshipGraph::Vertex> RelationshipGraph::vertex(std::string_view id) const {
  const auto found = index_.find(id);
  if (found == index_.end()) return std::nullopt;
  return found->second;
}

RelationshipGraph::Vertex RelationshipGraph::vertex_of(std::string_view id) const {
  const auto found = index_.find(id);
  if (found == index_.end()) throw std::out_of_range("no department \"" + std::string(id) + "\" in the map");
  return found->second;
}

const Edge* RelationshipGraph::edge(std::string_view from, std::string_view to) const {
  const auto source = vertex(from);
  const auto target = vertex(to);
  if (!source || !target) return nullptr;
  const auto [found, exists] = boost::edge(*source, *target, graph_);
  return exists ? graph_[found].edge : nullptr;
}

std::vector<const Edge*> RelationshipGraph::edges_of(std::string_view id) const {
  std::vector<const Edge*> edges;
  const auto found = vertex(id);
  if (!found) return edges;
  for (const auto edge : boost::make_iterator_range(boost::out_edges(*found, graph_))) edges.push_back(graph_[edge].edge);
  for (const auto edge : boost::make_iterator_range(boost::in_edges(*found, graph_))) edges.push_back(graph_[edge].edge);
  return edges;
}

}  // namespace relmap::graph
