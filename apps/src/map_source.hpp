#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "input_options.hpp"
#include "kafka_options.hpp"
#include "time_bounds_options.hpp"
#include "relmap/aggregation/aggregator.hpp"
#include "relmap/graph/directory.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::app {

/// Where `map` and `report` read the aggregates from: an event file computed in-process (--events),
/// or the aggregates topic (--brokers).
struct MapSource {
  InputOptions input;
  KafkaOptions kafka;
  std::string directory_file;  ///< --directory FILE
  TimeBoundsOptions time_bounds;  ///< for --events

  /// Adds --events, the input options and the Kafka options; --events excludes --brokers.
  void add_to(CLI::App& command);
  /// Takes RELMAP_KAFKA_BROKERS for --brokers when neither --events nor --brokers is given (it
  /// cannot be CLI11's environment name: --events excludes --brokers, set or not). Throws
  /// CLI::RequiredError when there is still neither.
  void resolve();
  aggregation::AggregatesBuilder load() const;
  /// The --directory file; else, with --brokers, the departments topic (empty when it does not exist).
  graph::Directory directory() const;
};

/// A --from/--to value: a UTC day, checked; nullopt when empty.
std::optional<std::string> day_option(const std::string& day, const char* name);
/// Throws CLI::ValidationError when the window's first day comes after its last.
void require_ordered(const graph::Window& window);

}  // namespace relmap::app
