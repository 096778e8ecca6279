#include "relmap/graph/findings.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace relmap::graph {
namespace {

/// The first `listed` of `indices` after sorting them by `before`.
template <typename Before>
std::vector<std::size_t> first_by(std::vector<std::size_t> indices, std::size_t listed, const Before& before) {
  std::sort(indices.begin(), indices.end(), before);
  if (indices.size() > listed) indices.resize(listed);
  return indices;
}

template <typename Element, typename Keep>
std::vector<std::size_t> indices_of(const std::vector<Element>& elements, const Keep& keep) {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (keep(elements[i])) indices.push_back(i);
  }
  return indices;
}

}  // namespace

Findings headline_findings(const RelationshipMap& map, const FindingSettings& settings) {
  Findings findings;
  findings.silos.resize(map.silos.size());
  std::iota(findings.silos.begin(), findings.silos.end(), std::size_t{0});

  const auto& departments = map.departments;
  findings.not_my_role_hotspots = first_by(
      indices_of(departments,
                 [&](const DepartmentStats& d) { return d.requests_received >= settings.hotspot_minimum_requests && d.not_my_role_rate; }),
      settings.listed, [&](std::size_t a, std::size_t b) { return *departments[a].not_my_role_rate > *departments[b].not_my_role_rate; });

  const auto flagged = indices_of(map.pairs, [](const Pair& pair) { return pair.flagged; });
  findings.flagged_imbalances = flagged.size();
  const auto strength = [](const Pair& pair) { return std::abs(pair.imbalance) * static_cast<double>(pair.gives + pair.gets); };
  findings.strongest_imbalances =
      first_by(flagged, settings.listed, [&](std::size_t a, std::size_t b) { return strength(map.pairs[a]) > strength(map.pairs[b]); });

  findings.ping_pong = first_by(indices_of(map.edges, [](const Edge& edge) { return edge.stats.ping_pong > 0; }), settings.listed,
                                [&](std::size_t a, std::size_t b) { return map.edges[a].stats.ping_pong > map.edges[b].stats.ping_pong; });

  findings.brokers = first_by(indices_of(departments, [](const DepartmentStats&) { return true; }), settings.listed,
                              [&](std::size_t a, std::size_t b) { return departments[a].betweenness > departments[b].betweenness; });

  for (std::size_t u = 0; u < map.units.size(); ++u) {
    const auto& unit = map.units[u];
    if (!unit.split()) continue;
    SplitUnit split{u, {}};
    for (const int community : unit.communities) {
      auto& part = split.parts.emplace_back();
      for (const auto& id : unit.departments) {
        for (const auto& department : departments) {
          if (department.id == id && department.community == community) part.push_back(id);
        }
      }
    }
    findings.split_units.push_back(std::move(split));
  }
  findings.communities_across_units = indices_of(map.communities, [](const Community& c) { return c.units.size() >= 2; });
  return findings;
}

}  // namespace relmap::graph
