#include "relmap/graph/period_comparison.hpp"

#include <tuple>

#include "map_json.hpp"

namespace relmap::graph {
namespace {

Statistic real(const std::optional<double>& value) { return value ? Statistic{*value} : Statistic{}; }

/// Matches two lists sorted by `key` (the maps keep departments, edges and pairs sorted): for each
/// current element its previous index, and the previous elements left unmatched.
template <typename Element, typename Key>
void match_sorted(const std::vector<Element>& now, const std::vector<Element>& then, const Key& key,
                  std::vector<std::optional<std::size_t>>& matched, std::vector<std::size_t>& gone) {
  matched.assign(now.size(), std::nullopt);
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < now.size() || j < then.size()) {
    if (j == then.size() || (i < now.size() && key(now[i]) < key(then[j]))) {
      ++i;
    } else if (i == now.size() || key(then[j]) < key(now[i])) {
      gone.push_back(j++);
    } else {
      matched[i++] = j++;
    }
  }
}

/// A Statistic or a StatisticChange: null when there is none, else its number.
template <typename Variant>
void write_number_or_null(JsonWriter& json, const Variant& statistic) {
  std::visit(
      [&](const auto& value) {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::monostate>) {
          json.null();
        } else {
          json.value(value);
        }
      },
      statistic);
}

/// "previous" and "change" of one element, null both when it was not there before.
template <typename Element>
void write_previous_and_change(JsonWriter& json, const Element& now, const Element* then) {
  if (then == nullptr) {
    json.key("previous");
    json.null();
    json.key("change");
    json.null();
    return;
  }
  const auto current = statistics_of(now);
  const auto earlier = statistics_of(*then);
  json.key("previous");
  json.start_object();
  for (const auto& statistic : earlier) {
    json.key(statistic.name);
    write_number_or_null(json, statistic.value);
  }
  json.end_object();
  json.key("change");
  json.start_object();
  for (std::size_t i = 0; i < current.size(); ++i) {
    json.key(current[i].name);
    write_number_or_null(json, change_of(current[i].value, earlier[i].value));
  }
  json.end_object();
}

template <typename Element>
const Element* previous_of(const std::vector<Element>& previous, const std::optional<std::size_t>& index) {
  return index ? &previous[*index] : nullptr;
}

}  // namespace

StatisticChange change_of(const Statistic& now, const Statistic& then) {
  if (const auto* count = std::get_if<std::uint64_t>(&now)) {
    if (const auto* before = std::get_if<std::uint64_t>(&then)) {
      return static_cast<std::int64_t>(*count) - static_cast<std::int64_t>(*before);
    }
  }
  if (const auto* value = std::get_if<double>(&now)) {
    if (const auto* before = std::get_if<double>(&then)) return *value - *before;
  }
  return {};
}

std::array<NamedStatistic, 13> statistics_of(const DepartmentStats& department) {
  return {{{"requests_made", department.requests_made},
           {"requests_received", department.requests_received},
           {"gives", department.gives},
           {"gets", department.gets},
           {"give_ratio", real(department.give_ratio)},
           {"not_my_role_rate", real(department.not_my_role_rate)},
           {"dead_end_rate", real(department.dead_end_rate)},
           {"handoffs_in", department.handoffs_in},
           {"handoffs_out", department.handoffs_out},
           {"solved", department.solved},
           {"unsolved", department.unsolved},
           {"andon", department.andon},
           {"betweenness", department.betweenness}}};
}

std::array<NamedStatistic, 12> statistics_of(const Edge& edge) {
  return {{{"requests", edge.stats.requests},
           {"resolved", edge.stats.resolved},
           {"declined", edge.stats.declined},
           {"redirected", edge.stats.redirected},
           {"open", edge.stats.open},
           {"expired", edge.stats.expired},
           {"dead_ends", edge.stats.dead_ends()},
           {"response_time_p50_s", real(edge.response_time_p50_s)},
           {"response_time_p90_s", real(edge.response_time_p90_s)},
           {"handoffs", edge.stats.handoffs},
           {"ping_pong", edge.stats.ping_pong},
           {"andon", edge.stats.andon}}};
}

std::array<NamedStatistic, 3> statistics_of(const Pair& pair) {
  return {{{"gives", pair.gives}, {"gets", pair.gets}, {"imbalance", pair.imbalance}}};
}

PeriodComparison compare_periods(const RelationshipMap& current, const RelationshipMap& previous) {
  PeriodComparison comparison;
  match_sorted(current.departments, previous.departments, [](const DepartmentStats& d) -> const std::string& { return d.id; },
               comparison.departments, comparison.departments_gone);
  match_sorted(current.edges, previous.edges, [](const Edge& e) { return std::tie(e.from, e.to); }, comparison.edges,
               comparison.edges_gone);
  match_sorted(current.pairs, previous.pairs, [](const Pair& p) { return std::tie(p.a, p.b); }, comparison.pairs,
               comparison.pairs_gone);
  return comparison;
}

std::string to_json_compared(const RelationshipMap& current, const RelationshipMap& previous) {
  const PeriodComparison comparison = compare_periods(current, previous);
  MapJsonAdditions additions;
  additions.department = [&](JsonWriter& json, std::size_t i) {
    write_previous_and_change(json, current.departments[i], previous_of(previous.departments, comparison.departments[i]));
  };
  additions.edge = [&](JsonWriter& json, std::size_t i) {
    write_previous_and_change(json, current.edges[i], previous_of(previous.edges, comparison.edges[i]));
  };
  additions.pair = [&](JsonWriter& json, std::size_t i) {
    write_previous_and_change(json, current.pairs[i], previous_of(previous.pairs, comparison.pairs[i]));
  };
  additions.top_level = [&](JsonWriter& json) {
    json.key("previous_window");
    write_window(json, previous.window);
    json.key("previous_totals");
    write_totals(json, previous.totals);
    json.key("previous_only");
    json.start_object();
    json.objects("departments", comparison.departments_gone,
                 [&](std::size_t i) { write_department_members(json, previous.departments[i]); });
    json.objects("edges", comparison.edges_gone, [&](std::size_t i) { write_edge_members(json, previous.edges[i]); });
    json.objects("pairs", comparison.pairs_gone, [&](std::size_t i) { write_pair_members(json, previous.pairs[i]); });
    json.end_object();
  };
  JsonWriter json;
  write_map_json(json, current, additions);
  return json.str();
}

}  // namespace relmap::graph
