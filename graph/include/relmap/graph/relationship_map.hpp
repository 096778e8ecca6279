#pragma once

#include <optional>
#include <string>
#include <vector>

#include "relmap/graph/statistics.hpp"

namespace relmap::graph {

struct DepartmentStats {
  std::string id;
  std::uint64_t requests_made = 0;
  std::uint64_t requests_received = 0;
  std::uint64_t gives = 0;  ///< requests received and resolved
  std::uint64_t gets = 0;   ///< requests made and resolved by the other side
  std::optional<double> give_ratio;
  std::optional<double> not_my_role_rate;
  std::optional<double> dead_end_rate;
  std::uint64_t handoffs_in = 0;
  std::uint64_t handoffs_out = 0;
  std::uint64_t solved = 0;
  std::uint64_t unsolved = 0;
  std::uint64_t andon = 0;  ///< cords pulled about it
  std::optional<int> community;     ///< see RelationshipMap::communities
  double betweenness = 0;           ///< normalised to [0, 1] over the undirected map
  bool articulation_point = false;  ///< its loss would disconnect the map
};

struct Edge {
  std::string from;
  std::string to;
  EdgeStats stats;
  std::optional<double> response_time_p50_s;
  std::optional<double> response_time_p90_s;
  bool bridge = false;  ///< the relationship between the two is the only link between two parts of the map
};

/// Give/get of an unordered pair: `a` gives to `b` what b asked of a and a resolved.
struct Pair {
  std::string a;
  std::string b;
  std::uint64_t gives = 0;
  std::uint64_t gets = 0;
  double imbalance = 0;
  bool flagged = false;
};

struct Silo {
  std::vector<std::string> departments;
  std::string kind;  ///< "community", "component" or "isolated"
  double internal = 0;
  double external = 0;
  double external_share = 0;
};

struct Community {
  int id = 0;
  std::vector<std::string> departments;
  double modularity_contribution = 0;
};

struct MapSettings {
  double imbalance_threshold = 0.5;  ///< |imbalance| at least this ...
  std::uint64_t imbalance_minimum = 10;  ///< ... with at least this many resolved requests between them
  double silo_external_share = 0.05;     ///< a community talking outside less than this is a silo
};

/// The relationship map of one window: the statistics of the contract's graph JSON.
struct RelationshipMap {
  std::optional<std::string> watermark;
  Window window;
  Totals totals;
  std::vector<DepartmentStats> departments;  ///< by id (UTF-8 byte order)
  std::vector<Edge> edges;                   ///< by (from, to)
  std::vector<Pair> pairs;                   ///< by (a, b), a < b
  std::vector<Silo> silos;
  std::vector<Community> communities;        ///< ids in order of their first department
  double modularity = 0;                     ///< of the communities, on the undirected weights
};

RelationshipMap build_relationship_map(const Aggregates& aggregates, const MapSettings& settings = {});

/// The contract's graph JSON ("The graph as JSON" in CONTRACT.md).
std::string to_json(const RelationshipMap& map);

}  // namespace relmap::graph
