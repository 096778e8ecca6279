#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "input_options.hpp"
#include "kafka_options.hpp"
#include "relmap/consumer/aggregator.hpp"
#include "relmap/graph/directory.hpp"

namespace relmap::app {

/// Where `map` and `report` read the aggregates from: an event file computed in-process (--events),
/// or the aggregates topic (--brokers).
struct MapSource {
  InputOptions input;
  KafkaOptions kafka;
  std::string directory_file;  ///< --directory FILE

  /// Adds --events, the input options and the Kafka options; --events excludes --brokers.
  void add_to(CLI::App& command);
  /// Throws CLI::RequiredError when neither is given.
  void require_one() const;
  consumer::AggregatesBuilder load() const;
  /// The --directory file; else, with --brokers, the departments topic (empty when it does not exist).
  graph::Directory directory() const;
};

/// A --from/--to value: a UTC day, checked; nullopt when empty.
std::optional<std::string> day_option(const std::string& day, const char* name);

}  // namespace relmap::app
