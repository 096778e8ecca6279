#pragma once

#include <string>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// The map JSON of `current` with every statistic compared with `previous` (the previous window of
/// equal length): each department, edge and pair gets "previous" (its numbers then, null when it was
/// absent) and "change" (now minus then, null where either is undefined); the top level gets
/// "previous_window" and "previous_totals", and "previous_only" lists the departments, edges and
/// pairs that were there before and are gone now.
std::string to_json_compared(const RelationshipMap& current, const RelationshipMap& previous);

}  // namespace relmap::graph
