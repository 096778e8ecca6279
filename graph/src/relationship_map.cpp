#include "relmap/graph/relationship_map.hpp"

#include "relmap/graph/analytics.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace relmap::graph {

std::optional<double> nearest_rank(std::vector<double> values, double q) {
  if (values.empty()) return std::nullopt;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
  const std::size_t index = std::clamp<std::size_t>(rank, 1, values.size()) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

namespace {

std::optional<double> ratio(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

RelationshipMap build_relationship_map(const Aggregates& aggregates, const MapSettings& settings) {
  RelationshipMap map;
  map.watermark = aggregates.watermark;
  map.window = aggregates.window;
  map.totals = aggregates.totals;

  std::map<std::string, DepartmentStats> departments;
  for (const auto& id : aggregates.departments) departments[id].id = id;
  std::map<std::pair<std::string, std::string>, Pair> pairs;

  for (const auto& [key, stats] : aggregates.edges) {
    const auto& [from, to] = key;
    Edge edge{from, to, stats, nearest_rank(stats.response_times_s, 0.5), nearest_rank(stats.response_times_s, 0.9)};
    map.edges.push_back(std::move(edge));

    auto& asker = departments[from];
    auto& asked = departments[to];
    asker.id = from;
    asked.id = to;
    asker.requests_made += stats.requests;
    asked.requests_received += stats.requests;
    asked.gives += stats.resolved;
    asker.gets += stats.resolved;
    asker.handoffs_out += stats.handoffs;
    asked.handoffs_in += stats.handoffs;
    asked.andon += stats.andon;
    if (stats.resolved > 0) {
      // resolved(from -> to): `to` gives to `from`.
      const bool to_first = to < from;
      auto& pair = pairs[to_first ? std::pair{to, from} : std::pair{from, to}];
      pair.a = to_first ? to : from;
      pair.b = to_first ? from : to;
      (to_first ? pair.gives : pair.gets) += stats.resolved;
    }
  }
  // Rates need the sums over all edges into a department.
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> declined_and_dead_ends;
  for (const auto& [key, stats] : aggregates.edges) {
    auto& counts = declined_and_dead_ends[key.second];
    counts.first += stats.declined;
    counts.second += stats.dead_ends();
  }
  for (auto& [id, department] : departments) {
    department.give_ratio = ratio(department.gives, department.gives + department.gets);
    department.not_my_role_rate = ratio(declined_and_dead_ends[id].first, department.requests_received);
    department.dead_end_rate = ratio(declined_and_dead_ends[id].second, department.requests_received);
    if (const auto found = aggregates.feedback.find(id); found != aggregates.feedback.end()) {
      department.solved = found->second.solved;
      department.unsolved = found->second.unsolved;
    }
    map.departments.push_back(department);
  }
  for (auto& [key, pair] : pairs) {
    const auto total = pair.gives + pair.gets;
    pair.imbalance = (static_cast<double>(pair.gives) - static_cast<double>(pair.gets)) / static_cast<double>(total);
    pair.flagged = std::abs(pair.imbalance) >= settings.imbalance_threshold && total >= settings.imbalance_minimum;
    map.pairs.push_back(pair);
  }
  analyse_structure(map, settings);
  return map;
}

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& writer, const std::string& value) {
  writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void write_optional(Writer& writer, const std::optional<std::string>& value) {
  if (value) {
    write_string(writer, *value);
  } else {
    writer.Null();
  }
}

void write_optional(Writer& writer, const std::optional<double>& value) {
  if (value) {
    writer.Double(*value);
  } else {
    writer.Null();
  }
}

template <typename Value>
void field(Writer& writer, const char* name, const Value& value) {
  writer.Key(name);
  if constexpr (std::is_same_v<Value, std::string>) {
    write_string(writer, value);
  } else if constexpr (std::is_same_v<Value, std::uint64_t>) {
    writer.Uint64(value);
  } else if constexpr (std::is_same_v<Value, bool>) {
    writer.Bool(value);
  } else if constexpr (std::is_same_v<Value, double>) {
    writer.Double(value);
  } else {
    write_optional(writer, value);
  }
}

}  // namespace

std::string to_json(const RelationshipMap& map) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  field(writer, "watermark", map.watermark);
  writer.Key("window");
  writer.StartObject();
  field(writer, "from", map.window.from);
  field(writer, "to", map.window.to);
  writer.EndObject();
  writer.Key("totals");
  writer.StartObject();
  field(writer, "events", map.totals.events);
  field(writer, "duplicates", map.totals.duplicates);
  field(writer, "rejected", map.totals.rejected);
  field(writer, "cases", map.totals.cases);
  writer.EndObject();

  writer.Key("departments");
  writer.StartArray();
  for (const auto& department : map.departments) {
    writer.StartObject();
    field(writer, "id", department.id);
    field(writer, "requests_made", department.requests_made);
    field(writer, "requests_received", department.requests_received);
    field(writer, "gives", department.gives);
    field(writer, "gets", department.gets);
    field(writer, "give_ratio", department.give_ratio);
    field(writer, "not_my_role_rate", department.not_my_role_rate);
    field(writer, "dead_end_rate", department.dead_end_rate);
    field(writer, "handoffs_in", department.handoffs_in);
    field(writer, "handoffs_out", department.handoffs_out);
    field(writer, "solved", department.solved);
    field(writer, "unsolved", department.unsolved);
    field(writer, "andon", department.andon);
    writer.Key("community");
    if (department.community) {
      writer.Int(*department.community);
    } else {
      writer.Null();
    }
    field(writer, "betweenness", department.betweenness);
    field(writer, "articulation_point", department.articulation_point);
    writer.EndObject();
  }
  writer.EndArray();

  writer.Key("edges");
  writer.StartArray();
  for (const auto& edge : map.edges) {
    writer.StartObject();
    field(writer, "from", edge.from);
    field(writer, "to", edge.to);
    field(writer, "requests", edge.stats.requests);
    field(writer, "resolved", edge.stats.resolved);
    field(writer, "declined", edge.stats.declined);
    field(writer, "redirected", edge.stats.redirected);
    field(writer, "open", edge.stats.open);
    field(writer, "expired", edge.stats.expired);
    field(writer, "dead_ends", edge.stats.dead_ends());
    field(writer, "response_time_p50_s", edge.response_time_p50_s);
    field(writer, "response_time_p90_s", edge.response_time_p90_s);
    field(writer, "handoffs", edge.stats.handoffs);
    field(writer, "ping_pong", edge.stats.ping_pong);
    field(writer, "andon", edge.stats.andon);
    field(writer, "bridge", edge.bridge);
    writer.EndObject();
  }
  writer.EndArray();

  writer.Key("pairs");
  writer.StartArray();
  for (const auto& pair : map.pairs) {
    writer.StartObject();
    field(writer, "a", pair.a);
    field(writer, "b", pair.b);
    field(writer, "gives", pair.gives);
    field(writer, "gets", pair.gets);
    field(writer, "imbalance", pair.imbalance);
    field(writer, "flagged", pair.flagged);
    writer.EndObject();
  }
  writer.EndArray();

  const auto write_names = [&](const std::vector<std::string>& names) {
    writer.StartArray();
    for (const auto& name : names) write_string(writer, name);
    writer.EndArray();
  };
  writer.Key("silos");
  writer.StartArray();
  for (const auto& silo : map.silos) {
    writer.StartObject();
    writer.Key("departments");
    write_names(silo.departments);
    field(writer, "kind", silo.kind);
    field(writer, "internal", silo.internal);
    field(writer, "external", silo.external);
    field(writer, "external_share", silo.external_share);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("communities");
  writer.StartArray();
  for (const auto& community : map.communities) {
    writer.StartObject();
    writer.Key("id");
    writer.Int(community.id);
    writer.Key("departments");
    write_names(community.departments);
    field(writer, "modularity_contribution", community.modularity_contribution);
    writer.EndObject();
  }
  writer.EndArray();
  field(writer, "modularity", map.modularity);
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace relmap::graph
