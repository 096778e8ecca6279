#pragma once
// The headline findings of a relationship map: what needs attention first. The terminal summary, the
// API and the landing page all show these, with the cut-offs and the order decided here once.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

struct FindingSettings {
  std::size_t listed = 3;  ///< hotspots, imbalances, ping-pong relationships and brokers shown of each
  /// A "not my role" rate counts from this many requests received: below, one refusal is a rate.
  std::uint64_t hotspot_minimum_requests = 10;
};

/// A formal unit whose departments fall into several communities: its departments by community.
struct SplitUnit {
  std::size_t unit;  ///< into RelationshipMap::units
  std::vector<std::vector<std::string>> parts;  ///< one per community of the unit, in its order
};

/// Indices into the map the findings were taken from (its departments, edges, pairs, silos, units,
/// communities): valid while that map is.
struct Findings {
  std::vector<std::size_t> silos;  ///< every silo, in the map's order
  /// Departments with at least FindingSettings::hotspot_minimum_requests received, by "not my role"
  /// rate, highest first.
  std::vector<std::size_t> not_my_role_hotspots;
  std::size_t flagged_imbalances = 0;          ///< pairs flagged in all
  std::vector<std::size_t> strongest_imbalances;  ///< flagged pairs by |imbalance| times their volume
  std::vector<std::size_t> ping_pong;          ///< relationships with cases handed straight back, most first
  std::vector<std::size_t> brokers;            ///< departments by betweenness, highest first
  std::vector<SplitUnit> split_units;          ///< empty without a directory
  std::vector<std::size_t> communities_across_units;  ///< communities whose departments span several units
};

Findings headline_findings(const RelationshipMap& map, const FindingSettings& settings = {});

}  // namespace relmap::graph
