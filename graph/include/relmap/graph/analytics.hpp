#pragma once

#include <memory>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// The structure of the map, on the undirected weights w(A, B) = requests and handoffs between A and B
/// in both directions (docs/contract.md, "Silos"):
/// - communities by modularity maximisation (Louvain, igraph's multilevel; its random order seeded, so
///   the same input gives the same communities), with each one's share of the modularity;
/// - silos: communities (of the largest component) whose external share is under the threshold,
///   components that do not hold the largest share of the weight, departments with no interaction;
/// - bridges (relationships whose loss disconnects the map) and articulation points (departments);
/// - brokers: betweenness centrality (Brandes, unweighted shortest paths), normalised to [0, 1].
/// Fills those fields of `map` (departments and edges must be there already).
void analyse_structure(RelationshipMap& map, const MapSettings& settings);

/// analyse_structure's analytics one at a time, in its order, so that each can be measured on its own
/// (bench/micro). Construction builds what they share: the undirected weights and graph of `map`,
/// which must outlive this and keep its departments and edges.
class StructureAnalysis {
 public:
  StructureAnalysis(RelationshipMap& map, const MapSettings& settings);
  ~StructureAnalysis();
  StructureAnalysis(const StructureAnalysis&) = delete;
  StructureAnalysis& operator=(const StructureAnalysis&) = delete;

  void find_communities();  ///< communities, their modularity, each department's community
  void find_silos();        ///< after find_communities(): components, isolated departments, silos
  void find_bridges();      ///< bridges and articulation points
  void find_brokers();      ///< betweenness: exact up to settings.exact_betweenness_limit, else sampled

 private:
  struct Work;
  std::unique_ptr<Work> work_;
};

/// The Louvain community of each department of `map.departments` (what analyse_structure uses).
std::vector<int> detect_communities(const RelationshipMap& map);

}  // namespace relmap::graph
