#pragma once

#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// The structure of the map, on the undirected weights w(A, B) = requests and handoffs between A and B
/// in both directions (CONTRACT.md, "Silos"):
/// - communities by modularity maximisation (Louvain, igraph's multilevel; its random order seeded, so
///   the same input gives the same communities), with each one's share of the modularity;
/// - silos: communities (of the largest component) whose external share is under the threshold,
///   components that do not hold the largest share of the weight, departments with no interaction;
/// - bridges (relationships whose loss disconnects the map) and articulation points (departments);
/// - brokers: betweenness centrality (Brandes, unweighted shortest paths), normalised to [0, 1].
/// Fills those fields of `map` (departments and edges must be there already).
void analyse_structure(RelationshipMap& map, const MapSettings& settings);

/// The Louvain community of each department of `map.departments` (what analyse_structure uses).
std::vector<int> detect_communities(const RelationshipMap& map);

}  // namespace relmap::graph
