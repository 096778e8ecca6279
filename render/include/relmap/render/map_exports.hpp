#pragma once

#include <string>

#include "relmap/graph/relationship_map.hpp"

namespace relmap::render {

using graph::RelationshipMap;

/// GraphML (opens in Gephi and yEd): departments with their statistics, community and betweenness;
/// relationships with theirs and `weight` = requests + handoffs. Written by Boost's write_graphml.
std::string to_graphml(const RelationshipMap& map);

/// Graphviz DOT: one colour per community, line width by weight, bridges in red, articulation points
/// with a double border. Written by Boost's write_graphviz_dp; `dot -Tsvg` turns it into SVG.
std::string to_dot(const RelationshipMap& map);

/// The relationships as CSV (RFC 4180), one row per directed edge with every statistic.
std::string to_csv(const RelationshipMap& map);

}  // namespace relmap::render
