#pragma once
// The files of tests/data/events/ fed to the Kafka-free aggregator, as `relmap map --events` does.

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "relmap/aggregation/apply_record.hpp"
#include "relmap/graph/relationship_map.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::testing {

struct FedAggregator {
  aggregation::Aggregator aggregator;
  std::vector<aggregation::LateRejection> late;
};

/// Applies each line of tests/data/events/<name>; lines that fail decoding count as rejected.
inline void feed_file(FedAggregator& fed, const std::string& name) {
  const schemas::Decoder decoder;
  std::ifstream in(std::string(RELMAP_TEST_DATA_DIR) + "/events/" + name);
  if (!in) throw std::runtime_error("cannot read tests/data/events/" + name);
  schemas::Event event;
  for (std::string line; std::getline(in, line);) aggregation::apply_record(fed.aggregator, decoder, line, event, fed.late);
}

inline aggregation::Aggregator aggregator_of_file(const std::string& name) {
  FedAggregator fed;
  feed_file(fed, name);
  return std::move(fed.aggregator);
}

/// The map of one window of tests/data/events/<name>.
inline graph::RelationshipMap map_of_file(const std::string& name, const graph::Window& window = {}) {
  const auto aggregator = aggregator_of_file(name);
  return graph::build_relationship_map(aggregation::collect_aggregates({&aggregator}, window));
}

}  // namespace relmap::testing
