#pragma once

#include <optional>
#include <string>
#include <vector>

#include "relmap/graph/directory.hpp"
#include "relmap/graph/statistics.hpp"

namespace relmap {
class JsonWriter;
}

namespace relmap::graph {

struct DepartmentStats {
  std::string id;
  std::string name;  ///< from the directory; the id where it names none
  std::string unit;  ///< formal unit from the directory; empty where none
  std::optional<bool> customer_facing;
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

/// Why departments form a silo (docs/contract.md, "Silos").
enum class SiloKind {
  community,  ///< a community that sends almost none of its traffic outside
  component,  ///< a connected component that does not hold the largest share of the weight
  isolated,   ///< a department with no interaction
};
/// The contract's name: "community", "component", "isolated".
const char* to_string(SiloKind kind);

struct Silo {
  std::vector<std::string> departments;
  SiloKind kind = SiloKind::community;
  double internal = 0;
  double external = 0;
  double external_share = 0;
};

struct Community {
  int id = 0;
  std::vector<std::string> departments;
  double modularity_contribution = 0;
  std::vector<std::string> units;  ///< the formal units of its departments (directory); more than one: it cuts across the org chart
};

/// A formal unit of the directory beside the discovered communities.
struct UnitAlignment {
  std::string unit;
  std::vector<std::string> departments;
  std::vector<int> communities;  ///< of its departments; more than one: the unit is split
  bool split() const { return communities.size() > 1; }
};

/// Cases that went through the same owners, in the same order.
struct ChainPattern {
  std::vector<std::string> owners;
  std::uint64_t cases = 0;
  std::uint64_t solved = 0;
  std::uint64_t dead_ends = 0;
  std::uint64_t open = 0;
  std::uint64_t ping_pongs = 0;
};

/// The service chains of the cases that started in the window.
struct ChainsOverview {
  std::uint64_t cases = 0;
  std::uint64_t solved = 0;
  std::uint64_t dead_ends = 0;
  std::uint64_t open = 0;
  std::optional<double> mean_length;              ///< owners per case
  std::vector<ChainPattern> most_frequent;        ///< by cases, then owners; at most MapSettings::top_chains
  std::vector<std::uint64_t> dead_ends_by_step;   ///< [i]: dead ends at the (i+1)-th owner of the chain
  std::vector<std::pair<std::string, std::uint64_t>> dead_ends_by_department;  ///< by count, then id
};

/// A request topic on one relationship ("which issues crop up time and again").
struct TopicRow {
  std::string from;
  std::string to;
  std::string topic;
  std::uint64_t requests = 0;
  std::uint64_t dead_ends = 0;
};

struct MapSettings {
  double imbalance_threshold = 0.5;  ///< |imbalance| at least this ...
  std::uint64_t imbalance_minimum = 10;  ///< ... with at least this many resolved requests between them
  double silo_external_share = 0.05;     ///< a community talking outside less than this is a silo
  std::size_t top_chains = 10;           ///< most frequent chains listed
  /// Exact betweenness (Brandes, O(V E)) up to this many departments; above, Brandes from sampled
  /// pivot sources (Brandes & Pich 2007), unbiased, error shrinking with the square root of the pivots.
  std::size_t exact_betweenness_limit = 1000;
  std::size_t betweenness_pivots = 256;
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
  std::size_t betweenness_pivots = 0;        ///< 0: betweenness is exact; else estimated from this many sources
  std::vector<UnitAlignment> units;          ///< by unit; empty without a directory
  ChainsOverview chains;
  std::vector<TopicRow> topics;              ///< by requests, then dead ends, then (from, to, topic)
};

/// `directory`: names, units and departments with no interaction (which the map reports as isolated).
RelationshipMap build_relationship_map(const Aggregates& aggregates, const MapSettings& settings = {},
                                       const Directory& directory = {});
/// What build_relationship_map computes before the structure (analytics.hpp): the department, edge and
/// pair statistics (give/get, not-my-role and dead-end rates, imbalances), chains and topics. On its own
/// for measuring it (bench/micro).
RelationshipMap relationship_statistics(const Aggregates& aggregates, const MapSettings& settings = {},
                                        const Directory& directory = {});

/// The contract's graph JSON ("The graph as JSON" in docs/contract.md).
std::string to_json(const RelationshipMap& map);
/// The members of one department's object in that JSON (for other documents that list departments).
void write_department_members(JsonWriter& json, const DepartmentStats& department);

}  // namespace relmap::graph
