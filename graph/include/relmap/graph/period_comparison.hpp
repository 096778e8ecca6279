#pragma once
// A window against the previous one of equal length, on typed values: which departments,
// relationships and pairs are in both, which are gone, and how each statistic changed.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// A statistic's value: undefined (a rate without a denominator), a count or a real number.
using Statistic = std::variant<std::monostate, std::uint64_t, double>;
/// Now minus then: undefined where either is, a signed count, or a real difference.
using StatisticChange = std::variant<std::monostate, std::int64_t, double>;
StatisticChange change_of(const Statistic& now, const Statistic& then);

/// A statistic with its contract name (the member of the graph JSON that holds it).
struct NamedStatistic {
  const char* name;
  Statistic value;
};
/// The statistics of each, in the order of the graph JSON: its numbers (and nulls), without the
/// community (an id, not a measure) and the directory's fields.
std::array<NamedStatistic, 13> statistics_of(const DepartmentStats& department);
std::array<NamedStatistic, 12> statistics_of(const Edge& edge);
std::array<NamedStatistic, 3> statistics_of(const Pair& pair);

/// Which elements of the current map were there in the previous window: departments by id, edges by
/// (from, to), pairs by (a, b).
struct PeriodComparison {
  std::vector<std::optional<std::size_t>> departments;  ///< per current department: its index in the previous map
  std::vector<std::optional<std::size_t>> edges;
  std::vector<std::optional<std::size_t>> pairs;
  std::vector<std::size_t> departments_gone;  ///< indices into the previous map, in its order
  std::vector<std::size_t> edges_gone;
  std::vector<std::size_t> pairs_gone;
};
PeriodComparison compare_periods(const RelationshipMap& current, const RelationshipMap& previous);

/// The map JSON of `current` with every statistic compared with `previous` (the previous window of
/// equal length): each department, edge and pair gets "previous" (its numbers then, null when it was
/// absent) and "change" (now minus then, null where either is undefined); the top level gets
/// "previous_window" and "previous_totals", and "previous_only" lists the departments, edges and
/// pairs that were there before and are gone now.
std::string to_json_compared(const RelationshipMap& current, const RelationshipMap& previous);

}  // namespace relmap::graph
