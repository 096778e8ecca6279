#include "relmap/graph/relationship_map.hpp"

#include "relmap/graph/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "map_json.hpp"

namespace relmap::graph {

std::optional<double> nearest_rank(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  const std::size_t index = std::clamp<std::size_t>(rank, 1, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

std::optional<double> ratio(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

namespace {

}  // namespace

const char* to_string(SiloKind kind) {
  switch (kind) {
    case SiloKind::community: return "community";
    case SiloKind::component: return "component";
    case SiloKind::isolated: return "isolated";
  }
  return "community";
}

const char* to_string(CaseEnd end) {
  switch (end) {
    case CaseEnd::solved: return "solved";
    case CaseEnd::dead_end: return "dead_end";
    case CaseEnd::open: return "open";
  }
  return "open";
}

namespace {

ChainsOverview summarise_chains(const std::vector<CaseChain>& chains, std::size_t top) {
  ChainsOverview overview;
  std::map<std::vector<std::string>, ChainPattern> patterns;
  std::map<std::string, std::uint64_t> dead_ends_by_department;
  std::uint64_t owners = 0;
  for (const auto& chain : chains) {
    ++overview.cases;
    owners += chain.owners.size();
    auto& pattern = patterns[chain.owners];
    pattern.owners = chain.owners;
    ++pattern.cases;
    pattern.ping_pongs += chain.ping_pongs;
    switch (chain.end) {
      case CaseEnd::solved: ++overview.solved, ++pattern.solved; break;
      case CaseEnd::open: ++overview.open, ++pattern.open; break;
      case CaseEnd::dead_end:
        ++overview.dead_ends, ++pattern.dead_ends;
        if (overview.dead_ends_by_step.size() < chain.dead_end_step) overview.dead_ends_by_step.resize(chain.dead_end_step);
        ++overview.dead_ends_by_step[chain.dead_end_step - 1];
        ++dead_ends_by_department[chain.dead_end_at];
        break;
    }
  }
  overview.mean_length = ratio(owners, overview.cases);
  for (auto& [key, pattern] : patterns) overview.most_frequent.push_back(std::move(pattern));
  std::stable_sort(overview.most_frequent.begin(), overview.most_frequent.end(),
                   [](const auto& a, const auto& b) { return a.cases > b.cases; });
  if (overview.most_frequent.size() > top) overview.most_frequent.resize(top);
  overview.dead_ends_by_department.assign(dead_ends_by_department.begin(), dead_ends_by_department.end());
  std::stable_sort(overview.dead_ends_by_department.begin(), overview.dead_ends_by_department.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return overview;
}

std::vector<TopicRow> rank_topics(const std::map<TopicKey, TopicStats>& topics) {
  std::vector<TopicRow> rows;
  for (const auto& [key, stats] : topics) {
    rows.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), stats.requests, stats.dead_ends});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(b.requests, b.dead_ends) < std::tie(a.requests, a.dead_ends);
  });
  return rows;
}

}  // namespace

/// Sets each community's units and each unit's communities, once communities are known.
void align_units(RelationshipMap& map) {
  std::map<std::string, UnitAlignment> units;
  std::map<int, std::set<std::string>> units_of_community;
  for (const auto& department : map.departments) {
    if (department.unit.empty()) continue;
    auto& unit = units[department.unit];
    unit.unit = department.unit;
    unit.departments.push_back(department.id);
    if (department.community) {
      if (std::find(unit.communities.begin(), unit.communities.end(), *department.community) == unit.communities.end()) {
        unit.communities.push_back(*department.community);
      }
      units_of_community[*department.community].insert(department.unit);
    }
  }
  for (auto& [name, unit] : units) {
    std::sort(unit.communities.begin(), unit.communities.end());
    map.units.push_back(std::move(unit));
  }
  for (auto& community : map.communities) {
    const auto& names = units_of_community[community.id];
    community.units.assign(names.begin(), names.end());
  }
}

RelationshipMap relationship_statistics(const Aggregates& aggregates, const MapSettings& settings, const Directory& directory) {
  RelationshipMap map;
  map.watermark = aggregates.watermark;
  map.window = aggregates.window;
  map.totals = aggregates.totals;

  // Every department once, in id order; then statistics through an index by id (hashing, not
  // ordered-map string comparisons: a large map has hundreds of thousands of edges, and an ordered
  // set of their ends was most of the statistics' time).
  std::unordered_set<std::string_view> named(aggregates.departments.begin(), aggregates.departments.end());
  for (const auto& [id, entry] : directory.entries) named.insert(id);
  for (const auto& [key, stats] : aggregates.edges) {
    named.insert(key.first);
    named.insert(key.second);
  }
  std::vector<std::string_view> ids(named.begin(), named.end());
  std::sort(ids.begin(), ids.end());
  map.departments.resize(ids.size());
  std::unordered_map<std::string_view, DepartmentStats*> department_of;
  department_of.reserve(ids.size());
  std::size_t position = 0;
  for (const auto id : ids) {
    auto& department = map.departments[position++];
    department.id = std::string(id);
    department_of.emplace(department.id, &department);
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> declined_and_dead_ends(ids.size());  ///< received
  // Resolved requests by the positions of (a, b), a < b, as (gives, gets) of a; sorted and merged
  // below. Departments are in id order, so the positions' order is the ids'.
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::pair<std::uint64_t, std::uint64_t>>> resolved;
  resolved.reserve(aggregates.edges.size());

  map.edges.reserve(aggregates.edges.size());
  for (const auto& [key, stats] : aggregates.edges) {
    const auto& [from, to] = key;
    map.edges.push_back({from, to, stats, nearest_rank(stats.response_times_s, 0.5), nearest_rank(stats.response_times_s, 0.9)});
    auto& asker = *department_of.at(from);
    auto& asked = *department_of.at(to);
    const auto asker_at = static_cast<std::size_t>(&asker - map.departments.data());
    const auto asked_at = static_cast<std::size_t>(&asked - map.departments.data());
    asker.requests_made += stats.requests;
    asked.requests_received += stats.requests;
    asked.gives += stats.resolved;
    asker.gets += stats.resolved;
    asker.handoffs_out += stats.handoffs;
    asked.handoffs_in += stats.handoffs;
    asked.andon += stats.andon;
    auto& received = declined_and_dead_ends[asked_at];
    received.first += stats.declined;
    received.second += stats.dead_ends();
    if (stats.resolved > 0) {
      // resolved(from -> to): `to` gives to `from`.
      if (asked_at < asker_at) {
        resolved.push_back({{asked_at, asker_at}, {stats.resolved, 0}});
      } else {
        resolved.push_back({{asker_at, asked_at}, {0, stats.resolved}});
      }
    }
  }
  for (std::size_t i = 0; i < map.departments.size(); ++i) {
    auto& department = map.departments[i];
    department.name = directory.name_of(department.id);
    if (const auto* entry = directory.find(department.id)) {
      department.unit = entry->unit;
      department.customer_facing = entry->customer_facing;
    }
    department.give_ratio = ratio(department.gives, department.gives + department.gets);
    department.not_my_role_rate = ratio(declined_and_dead_ends[i].first, department.requests_received);
    department.dead_end_rate = ratio(declined_and_dead_ends[i].second, department.requests_received);
    if (const auto found = aggregates.feedback.find(department.id); found != aggregates.feedback.end()) {
      department.solved = found->second.solved;
      department.unsolved = found->second.unsolved;
    }
  }
  std::sort(resolved.begin(), resolved.end());
  for (std::size_t i = 0; i < resolved.size(); ++i) {
    const auto& [positions, gives_and_gets] = resolved[i];
    if (i > 0 && resolved[i - 1].first == positions) {
      map.pairs.back().gives += gives_and_gets.first;
      map.pairs.back().gets += gives_and_gets.second;
    } else {
      map.pairs.push_back({map.departments[positions.first].id, map.departments[positions.second].id,
                           gives_and_gets.first, gives_and_gets.second});
    }
  }
  for (auto& pair : map.pairs) {
    const auto total = pair.gives + pair.gets;
    pair.imbalance = (static_cast<double>(pair.gives) - static_cast<double>(pair.gets)) / static_cast<double>(total);
    pair.flagged = std::abs(pair.imbalance) >= settings.imbalance_threshold && total >= settings.imbalance_minimum;
  }
  map.chains = summarise_chains(aggregates.chains, settings.top_chains);
  map.topics = rank_topics(aggregates.topics);
  return map;
}

RelationshipMap build_relationship_map(const Aggregates& aggregates, const MapSettings& settings, const Directory& directory) {
  RelationshipMap map = relationship_statistics(aggregates, settings, directory);
  analyse_structure(map, settings);
  align_units(map);
  return map;
}

void write_window(JsonWriter& json, const Window& window) {
  json.start_object();
  json.field("from", window.from);
  json.field("to", window.to);
  json.end_object();
}

void write_totals(JsonWriter& json, const Totals& totals) {
  json.start_object();
  json.field("events", totals.events);
  json.field("duplicates", totals.duplicates);
  json.field("rejected", totals.rejected);
  json.field("cases", totals.cases);
  json.field("cases_without_handoff", totals.cases_without_handoff);
  json.end_object();
}

void write_department_members(JsonWriter& json, const DepartmentStats& department) {
  json.field("id", department.id);
  json.field("name", department.name);
  json.field("unit", department.unit.empty() ? std::nullopt : std::optional{department.unit});
  json.field("customer_facing", department.customer_facing);
  json.field("requests_made", department.requests_made);
  json.field("requests_received", department.requests_received);
  json.field("gives", department.gives);
  json.field("gets", department.gets);
  json.field("give_ratio", department.give_ratio);
  json.field("not_my_role_rate", department.not_my_role_rate);
  json.field("dead_end_rate", department.dead_end_rate);
  json.field("handoffs_in", department.handoffs_in);
  json.field("handoffs_out", department.handoffs_out);
  json.field("solved", department.solved);
  json.field("unsolved", department.unsolved);
  json.field("andon", department.andon);
  json.field("community", department.community);
  json.field("betweenness", department.betweenness);
  json.field("articulation_point", department.articulation_point);
}

void write_edge_members(JsonWriter& json, const Edge& edge) {
  json.field("from", edge.from);
  json.field("to", edge.to);
  json.field("requests", edge.stats.requests);
  json.field("resolved", edge.stats.resolved);
  json.field("declined", edge.stats.declined);
  json.field("redirected", edge.stats.redirected);
  json.field("open", edge.stats.open);
  json.field("expired", edge.stats.expired);
  json.field("dead_ends", edge.stats.dead_ends());
  json.field("response_time_p50_s", edge.response_time_p50_s);
  json.field("response_time_p90_s", edge.response_time_p90_s);
  json.field("handoffs", edge.stats.handoffs);
  json.field("ping_pong", edge.stats.ping_pong);
  json.field("andon", edge.stats.andon);
  json.field("bridge", edge.bridge);
}

void write_pair_members(JsonWriter& json, const Pair& pair) {
  json.field("a", pair.a);
  json.field("b", pair.b);
  json.field("gives", pair.gives);
  json.field("gets", pair.gets);
  json.field("imbalance", pair.imbalance);
  json.field("flagged", pair.flagged);
}

void write_map_json(JsonWriter& json, const RelationshipMap& map, const MapJsonAdditions& additions) {
  json.start_object();
  json.field("watermark", map.watermark);
  json.key("window");
  write_window(json, map.window);
  json.key("totals");
  write_totals(json, map.totals);

  json.objects("departments", map.departments, [&](const auto& department) {
    write_department_members(json, department);
    if (additions.department) additions.department(json, static_cast<std::size_t>(&department - map.departments.data()));
  });
  json.objects("edges", map.edges, [&](const auto& edge) {
    write_edge_members(json, edge);
    if (additions.edge) additions.edge(json, static_cast<std::size_t>(&edge - map.edges.data()));
  });
  json.objects("pairs", map.pairs, [&](const auto& pair) {
    write_pair_members(json, pair);
    if (additions.pair) additions.pair(json, static_cast<std::size_t>(&pair - map.pairs.data()));
  });
  json.objects("silos", map.silos, [&](const auto& silo) {
    json.values("departments", silo.departments);
    json.field("kind", to_string(silo.kind));
    json.field("internal", silo.internal);
    json.field("external", silo.external);
    json.field("external_share", silo.external_share);
  });
  json.objects("communities", map.communities, [&](const auto& community) {
    json.field("id", community.id);
    json.values("departments", community.departments);
    json.field("modularity_contribution", community.modularity_contribution);
    json.values("units", community.units);
  });
  json.field("modularity", map.modularity);
  json.field("betweenness_pivots", static_cast<std::uint64_t>(map.betweenness_pivots));
  json.objects("units", map.units, [&](const auto& unit) {
    json.field("unit", unit.unit);
    json.values("departments", unit.departments);
    json.values("communities", unit.communities);
    json.field("split", unit.split());
  });

  json.key("chains");
  json.start_object();
  json.field("cases", map.chains.cases);
  json.field("solved", map.chains.solved);
  json.field("dead_ends", map.chains.dead_ends);
  json.field("open", map.chains.open);
  json.field("mean_length", map.chains.mean_length);
  json.objects("most_frequent", map.chains.most_frequent, [&](const auto& pattern) {
    json.values("owners", pattern.owners);
    json.field("cases", pattern.cases);
    json.field("solved", pattern.solved);
    json.field("dead_ends", pattern.dead_ends);
    json.field("open", pattern.open);
    json.field("ping_pongs", pattern.ping_pongs);
  });
  json.key("dead_ends_by_step");
  json.start_array();
  for (std::size_t step = 0; step < map.chains.dead_ends_by_step.size(); ++step) {
    json.start_object();
    json.field("step", static_cast<std::uint64_t>(step + 1));
    json.field("dead_ends", map.chains.dead_ends_by_step[step]);
    json.end_object();
  }
  json.end_array();
  json.objects("dead_ends_by_department", map.chains.dead_ends_by_department, [&](const auto& entry) {
    json.field("department", entry.first);
    json.field("dead_ends", entry.second);
  });
  json.end_object();

  json.objects("topics", map.topics, [&](const auto& topic) {
    json.field("from", topic.from);
    json.field("to", topic.to);
    json.field("topic", topic.topic);
    json.field("requests", topic.requests);
    json.field("dead_ends", topic.dead_ends);
  });
  if (additions.top_level) additions.top_level(json);
  json.end_object();
}

std::string to_json(const RelationshipMap& map) {
  JsonWriter json;
  write_map_json(json, map);
  return json.str();
}

}  // namespace relmap::graph
