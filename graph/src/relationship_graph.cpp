#include "relmap/graph/relationship_graph.hpp"

#include <algorithm>

#include <boost/graph/connected_components.hpp>

namespace relmap::graph {

RelationshipGraph::Vertex RelationshipGraph::department(const std::string& id) {
  const auto [found, inserted] = index_.try_emplace(id, Vertex{});
  if (inserted) found->second = boost::add_vertex(Department{id}, graph_);
  return found->second;
}

void RelationshipGraph::add_interactions(const std::string& from, const std::string& to, std::uint64_t count) {
  const Vertex source = department(from);
  const Vertex target = department(to);
  auto [edge, exists] = boost::edge(source, target, graph_);
  if (!exists) edge = boost::add_edge(source, target, graph_).first;
  graph_[edge].interactions += count;
}

std::vector<std::vector<std::string>> RelationshipGraph::connected_groups() const {
  // connected_components needs an undirected view: copy the structure, direction dropped.
  boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS> undirected(boost::num_vertices(graph_));
  for (const auto edge : boost::make_iterator_range(boost::edges(graph_))) {
    boost::add_edge(boost::source(edge, graph_), boost::target(edge, graph_), undirected);
  }
  std::vector<int> component(boost::num_vertices(graph_));
  const int count = component.empty() ? 0 : boost::connected_components(undirected, component.data());
  std::vector<std::vector<std::string>> groups(static_cast<std::size_t>(count));
  for (std::size_t v = 0; v < component.size(); ++v) {
    groups[static_cast<std::size_t>(component[v])].push_back(graph_[v].id);
  }
  for (auto& group : groups) std::sort(group.begin(), group.end());
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  return groups;
}

std::vector<RelationshipGraph::RankedRelationship> RelationshipGraph::strongest(std::size_t limit) const {
  std::vector<RankedRelationship> ranked;
  for (const auto edge : boost::make_iterator_range(boost::edges(graph_))) {
    ranked.push_back({graph_[boost::source(edge, graph_)].id, graph_[boost::target(edge, graph_)].id,
                      graph_[edge].interactions});
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.interactions != b.interactions) return a.interactions > b.interactions;
    return a.from != b.from ? a.from < b.from : a.to < b.to;
  });
  if (ranked.size() > limit) ranked.resize(limit);
  return ranked;
}

}  // namespace relmap::graph
