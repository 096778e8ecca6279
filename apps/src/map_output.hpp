#pragma once

#include <string>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::app {

/// The map in `format`: json, dot, svg (Graphviz's `dot -Tsvg` of the DOT), graphml or csv.
/// Throws std::runtime_error when Graphviz is missing or fails.
std::string render_map(const graph::RelationshipMap& map, const std::string& format);

}  // namespace relmap::app
