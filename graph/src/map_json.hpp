#pragma once
// The writers of the contract's graph JSON, shared by to_json and the period comparison. Private to graph/.

#include <cstddef>
#include <functional>

#include "relmap/common/json_writer.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// Members added at the end of each department, edge and pair object (given its index in the map),
/// and at the end of the top-level object.
struct MapJsonAdditions {
  std::function<void(JsonWriter&, std::size_t)> department;
  std::function<void(JsonWriter&, std::size_t)> edge;
  std::function<void(JsonWriter&, std::size_t)> pair;
  std::function<void(JsonWriter&)> top_level;
};

void write_map_json(JsonWriter& json, const RelationshipMap& map, const MapJsonAdditions& additions = {});
void write_window(JsonWriter& json, const Window& window);
void write_totals(JsonWriter& json, const Totals& totals);
void write_edge_members(JsonWriter& json, const Edge& edge);
void write_pair_members(JsonWriter& json, const Pair& pair);

}  // namespace relmap::graph
