#include "relmap/graph/analytics.hpp"

#include "relmap/graph/relationship_graph.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <string_view>
#include <unordered_map>
#include <stdexcept>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/betweenness_centrality.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <boost/graph/connected_components.hpp>
#include <igraph/igraph.h>

namespace relmap::graph {
namespace {

using Undirected = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                         boost::property<boost::edge_index_t, std::size_t>>;

/// The undirected weighted map: vertex i is departments[i].
struct WeightedMap {
  std::size_t size = 0;
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, double>> weights;  ///< ((i, j), weight): i < j, by (i, j), weight > 0
  std::vector<double> degree;                                     ///< weighted degree
  double total = 0;                                               ///< sum of weights (m)
};

WeightedMap weighted_map(const RelationshipGraph& relationships) {
  const auto& graph = relationships.graph();
  WeightedMap weighted;
  weighted.size = relationships.size();
  weighted.degree.assign(weighted.size, 0);
  weighted.weights.reserve(boost::num_edges(graph));
  for (const auto relationship : boost::make_iterator_range(boost::edges(graph))) {
    const auto& stats = graph[relationship].edge->stats;
    const double weight = static_cast<double>(stats.requests + stats.handoffs);
    const auto a = boost::source(relationship, graph);
    const auto b = boost::target(relationship, graph);
    if (weight <= 0 || a == b) continue;
    weighted.weights.push_back({{std::min(a, b), std::max(a, b)}, weight});
  }
  // A -> B and B -> A are one undirected relationship: sort, then merge neighbours.
  std::sort(weighted.weights.begin(), weighted.weights.end());
  std::size_t merged = 0;
  for (std::size_t i = 0; i < weighted.weights.size(); ++i) {
    if (merged > 0 && weighted.weights[merged - 1].first == weighted.weights[i].first) {
      weighted.weights[merged - 1].second += weighted.weights[i].second;
    } else {
      weighted.weights[merged++] = weighted.weights[i];
    }
  }
  weighted.weights.resize(merged);
  for (const auto& [pair, weight] : weighted.weights) {
    weighted.degree[pair.first] += weight;
    weighted.degree[pair.second] += weight;
    weighted.total += weight;
  }
  return weighted;
}

/// Debian's igraph 0.10 is built without thread-local storage (IGRAPH_THREAD_SAFE is 0): its error
/// handling stack and its random generator are globals, and two threads in igraph at once corrupt
/// them (relmap serve aborted with "Corrupt finally stack" drawing two windows' maps at once). So one
/// thread at a time uses igraph, from its first object to its last.
std::mutex& igraph_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// igraph objects with their destructors, so nothing leaks when igraph reports an error; not copied,
/// since a copy would destroy the same object twice.
struct IntVector {
  igraph_vector_int_t vector;
  explicit IntVector(igraph_integer_t size = 0) { igraph_vector_int_init(&vector, size); }
  ~IntVector() { igraph_vector_int_destroy(&vector); }
  IntVector(const IntVector&) = delete;
  IntVector& operator=(const IntVector&) = delete;
};
struct RealVector {
  igraph_vector_t vector;
  explicit RealVector(igraph_integer_t size = 0) { igraph_vector_init(&vector, size); }
  ~RealVector() { igraph_vector_destroy(&vector); }
  RealVector(const RealVector&) = delete;
  RealVector& operator=(const RealVector&) = delete;
};
/// The undirected map as an igraph graph: edge k is weighted.weights[k].
struct IgraphGraph {
  igraph_t graph;
  explicit IgraphGraph(const WeightedMap& weighted) {
    IntVector edges(static_cast<igraph_integer_t>(2 * weighted.weights.size()));
    igraph_integer_t position = 0;
    for (const auto& [pair, weight] : weighted.weights) {
      VECTOR(edges.vector)[position++] = static_cast<igraph_integer_t>(pair.first);
      VECTOR(edges.vector)[position++] = static_cast<igraph_integer_t>(pair.second);
    }
    if (igraph_create(&graph, &edges.vector, static_cast<igraph_integer_t>(weighted.size), IGRAPH_UNDIRECTED) !=
        IGRAPH_SUCCESS) {
      throw std::runtime_error("igraph_create failed");
    }
  }
  ~IgraphGraph() { igraph_destroy(&graph); }
  IgraphGraph(const IgraphGraph&) = delete;
  IgraphGraph& operator=(const IgraphGraph&) = delete;
};

/// Louvain communities; membership[i] renumbered in order of each community's first vertex.
std::vector<int> louvain(const WeightedMap& weighted) {
  std::vector<int> membership(weighted.size);
  if (weighted.size == 0) return membership;
  const std::lock_guard igraph_in_use(igraph_mutex());
  const IgraphGraph graph(weighted);
  RealVector weights(static_cast<igraph_integer_t>(weighted.weights.size()));
  igraph_integer_t position = 0;
  for (const auto& [pair, weight] : weighted.weights) VECTOR(weights.vector)[position++] = weight;
  IntVector result;
  // Louvain visits vertices in random order: a fixed seed makes the answer depend on the input only.
  igraph_rng_seed(igraph_rng_default(), 20261123);
  if (igraph_community_multilevel(&graph.graph, &weights.vector, 1.0, &result.vector, nullptr, nullptr) !=
      IGRAPH_SUCCESS) {
    throw std::runtime_error("igraph_community_multilevel failed");
  }
  std::map<igraph_integer_t, int> renumbered;
  for (std::size_t i = 0; i < weighted.size; ++i) {
    const auto [found, inserted] =
        renumbered.try_emplace(VECTOR(result.vector)[static_cast<igraph_integer_t>(i)], static_cast<int>(renumbered.size()));
    membership[i] = found->second;
  }
  return membership;
}

/// Betweenness estimated from `pivots` sources drawn without replacement (seeded; Brandes & Pich 2007):
/// igraph's betweenness over the shortest paths from those sources to every vertex, scaled by
/// n / pivots, is an unbiased estimate of Boost's undirected betweenness (each unordered pair once).
/// Unweighted, like the exact path.
std::vector<double> sampled_betweenness(const WeightedMap& weighted, std::size_t pivots) {
  const std::size_t n = weighted.size;
  std::vector<std::size_t> sources(n);
  std::iota(sources.begin(), sources.end(), std::size_t{0});
  std::mt19937_64 random(20261123);
  std::shuffle(sources.begin(), sources.end(), random);
  sources.resize(std::min(pivots, n));
  std::vector<double> centrality(n, 0);
  if (sources.empty()) return centrality;

  const std::lock_guard igraph_in_use(igraph_mutex());
  const IgraphGraph graph(weighted);
  IntVector source_ids(static_cast<igraph_integer_t>(sources.size()));
  igraph_integer_t position = 0;
  for (const auto source : sources) VECTOR(source_ids.vector)[position++] = static_cast<igraph_integer_t>(source);
  RealVector result;
  // Undirected, igraph counts each (source, target) path once and halves the sum, as the exact path
  // counts each unordered pair once.
  if (igraph_betweenness_subset(&graph.graph, &result.vector, igraph_vss_all(), false,
                                igraph_vss_vector(&source_ids.vector), igraph_vss_all(), nullptr) != IGRAPH_SUCCESS) {
    throw std::runtime_error("igraph_betweenness_subset failed");
  }
  const double scale = static_cast<double>(n) / static_cast<double>(sources.size());
  for (std::size_t i = 0; i < n; ++i) centrality[i] = VECTOR(result.vector)[static_cast<igraph_integer_t>(i)] * scale;
  return centrality;
}

Undirected boost_graph(const WeightedMap& weighted) {
  Undirected graph(weighted.size);
  std::size_t edge_index = 0;
  for (const auto& [pair, weight] : weighted.weights) {
    boost::add_edge(pair.first, pair.second, edge_index++, graph);
  }
  return graph;
}

}  // namespace

std::vector<int> detect_communities(const RelationshipMap& map) { return louvain(weighted_map(RelationshipGraph(map))); }

/// What the steps share: the undirected weights and graph, and what find_communities leaves for
/// find_silos.
struct StructureAnalysis::Work {
  Work(RelationshipMap& analysed, const MapSettings& chosen)
      : map(analysed), settings(chosen), relationships(map), weighted(weighted_map(relationships)),
        graph(boost_graph(weighted)) {}

  RelationshipMap& map;
  MapSettings settings;
  RelationshipGraph relationships;
  WeightedMap weighted;
  Undirected graph;
  std::vector<int> membership;  ///< by department
  std::vector<double> internal;  ///< by community
  std::vector<double> external;  ///< by community
};

StructureAnalysis::StructureAnalysis(RelationshipMap& map, const MapSettings& settings)
    : work_(std::make_unique<Work>(map, settings)) {}
StructureAnalysis::~StructureAnalysis() = default;

void StructureAnalysis::find_communities() {
  // Communities and their modularity: Q_c = internal_c / m - (degree_c / 2m)^2.
  RelationshipMap& map = work_->map;
  const WeightedMap& weighted = work_->weighted;
  std::vector<int>& membership = work_->membership;
  std::vector<double>& internal = work_->internal;
  std::vector<double>& external = work_->external;
  const std::size_t n = weighted.size;
  membership = louvain(weighted);
  const int community_count = n == 0 ? 0 : *std::max_element(membership.begin(), membership.end()) + 1;
  internal.assign(static_cast<std::size_t>(community_count), 0);
  external.assign(static_cast<std::size_t>(community_count), 0);
  std::vector<double> degree(static_cast<std::size_t>(community_count), 0);
  for (const auto& [pair, weight] : weighted.weights) {
    const auto a = static_cast<std::size_t>(membership[pair.first]);
    const auto b = static_cast<std::size_t>(membership[pair.second]);
    if (a == b) {
      internal[a] += weight;
    } else {
      external[a] += weight;
      external[b] += weight;
    }
  }
  for (std::size_t i = 0; i < n; ++i) degree[static_cast<std::size_t>(membership[i])] += weighted.degree[i];
  map.communities.clear();
  map.modularity = 0;
  for (int c = 0; c < community_count; ++c) {
    Community community;
    community.id = c;
    for (std::size_t i = 0; i < n; ++i) {
      if (membership[i] == c) community.departments.push_back(map.departments[i].id);
    }
    if (weighted.total > 0) {
      const double share = degree[static_cast<std::size_t>(c)] / (2 * weighted.total);
      community.modularity_contribution = internal[static_cast<std::size_t>(c)] / weighted.total - share * share;
    }
    map.modularity += community.modularity_contribution;
    map.communities.push_back(std::move(community));
  }
  for (std::size_t i = 0; i < n; ++i) map.departments[i].community = membership[i];
}

void StructureAnalysis::find_silos() {
  RelationshipMap& map = work_->map;
  const WeightedMap& weighted = work_->weighted;
  const Undirected& graph = work_->graph;
  const RelationshipGraph& relationships = work_->relationships;
  const std::vector<double>& internal = work_->internal;
  const std::vector<double>& external = work_->external;
  if (work_->membership.size() != weighted.size) throw std::logic_error("find_silos() needs find_communities() first");
  // Components, and which one holds the largest share of the weight.
  const std::size_t n = weighted.size;
  std::vector<int> component(n);
  const int component_count = boost::connected_components(graph, component.data());
  std::vector<double> component_weight(static_cast<std::size_t>(component_count), 0);
  std::vector<std::size_t> component_size(static_cast<std::size_t>(component_count), 0);
  for (const auto& [pair, weight] : weighted.weights) component_weight[static_cast<std::size_t>(component[pair.first])] += weight;
  for (std::size_t i = 0; i < n; ++i) ++component_size[static_cast<std::size_t>(component[i])];
  int largest = 0;
  for (int c = 1; c < component_count; ++c) {
    const auto candidate = static_cast<std::size_t>(c);
    const auto best = static_cast<std::size_t>(largest);
    if (component_weight[candidate] > component_weight[best] ||
        (component_weight[candidate] == component_weight[best] && component_size[candidate] > component_size[best])) {
      largest = c;
    }
  }

  map.silos.clear();
  std::vector<std::vector<std::string>> component_members(static_cast<std::size_t>(component_count));
  for (std::size_t i = 0; i < n; ++i) component_members[static_cast<std::size_t>(component[i])].push_back(map.departments[i].id);
  for (int c = 0; c < component_count; ++c) {
    const auto& members = component_members[static_cast<std::size_t>(c)];
    if (members.size() == 1 && component_weight[static_cast<std::size_t>(c)] == 0) {
      map.silos.push_back({members, SiloKind::isolated, 0, 0, 0});
    } else if (c != largest) {
      map.silos.push_back({members, SiloKind::component, component_weight[static_cast<std::size_t>(c)], 0, 0});
    }
  }
  for (const auto& community : map.communities) {
    const auto c = static_cast<std::size_t>(community.id);
    const auto first = relationships.vertex_of(community.departments.front());
    const bool in_largest = component[first] == largest;
    const bool whole_component = community.departments.size() == component_size[static_cast<std::size_t>(component[first])];
    const double total = internal[c] + external[c];
    if (!in_largest || whole_component || total == 0) continue;
    const double share = external[c] / total;
    if (share < work_->settings.silo_external_share) {
      map.silos.push_back({community.departments, SiloKind::community, internal[c], external[c], share});
    }
  }
}

void StructureAnalysis::find_bridges() {
  // Bridges: biconnected components made of a single edge. Articulation points come with them.
  RelationshipMap& map = work_->map;
  const Undirected& graph = work_->graph;
  const RelationshipGraph& relationships = work_->relationships;
  std::vector<std::size_t> edge_component(boost::num_edges(graph));
  std::vector<std::size_t> articulation;
  boost::biconnected_components(
      graph, boost::make_iterator_property_map(edge_component.begin(), boost::get(boost::edge_index, graph)),
      std::back_inserter(articulation));
  std::map<std::size_t, std::size_t> edges_in_component;
  for (const auto value : edge_component) ++edges_in_component[value];
  std::set<std::pair<std::size_t, std::size_t>> bridges;  ///< (i, j), i < j
  for (const auto edge : boost::make_iterator_range(boost::edges(graph))) {
    if (edges_in_component[edge_component[boost::get(boost::edge_index, graph, edge)]] == 1) {
      const auto a = boost::source(edge, graph);
      const auto b = boost::target(edge, graph);
      bridges.insert({std::min(a, b), std::max(a, b)});
    }
  }
  for (auto& edge : map.edges) {
    const auto a = relationships.vertex_of(edge.from);
    const auto b = relationships.vertex_of(edge.to);
    edge.bridge = bridges.count({std::min(a, b), std::max(a, b)}) > 0;
  }
  for (auto& department : map.departments) department.articulation_point = false;
  for (const auto vertex : articulation) map.departments[vertex].articulation_point = true;
}

void StructureAnalysis::find_brokers() {
  // Brokers: Boost counts each unordered pair once; normalise by the number of pairs, (n-1)(n-2)/2.
  RelationshipMap& map = work_->map;
  const MapSettings& settings = work_->settings;
  const std::size_t n = work_->weighted.size;
  std::vector<double> centrality(n, 0);
  if (n <= settings.exact_betweenness_limit) {
    boost::brandes_betweenness_centrality(
        work_->graph, boost::make_iterator_property_map(centrality.begin(), boost::get(boost::vertex_index, work_->graph)));
    map.betweenness_pivots = 0;
  } else {
    centrality = sampled_betweenness(work_->weighted, settings.betweenness_pivots);
    map.betweenness_pivots = std::min(settings.betweenness_pivots, n);
  }
  const double pairs = n > 2 ? static_cast<double>(n - 1) * static_cast<double>(n - 2) / 2 : 0;
  for (std::size_t i = 0; i < n; ++i) map.departments[i].betweenness = pairs > 0 ? centrality[i] / pairs : 0;
}

void analyse_structure(RelationshipMap& map, const MapSettings& settings) {
  if (map.departments.empty()) return;
  StructureAnalysis analysis(map, settings);
  analysis.find_communities();
  analysis.find_silos();
  analysis.find_bridges();
  analysis.find_brokers();
}

}  // namespace relmap::graph
