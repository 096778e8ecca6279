#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "input_options.hpp"
#include "kafka_options.hpp"
#include "relmap/consumer/aggregator.hpp"

namespace relmap::app {

/// Where `map` and `report` read the aggregates from: an event file computed in-process (--events),
/// or the aggregates topic (--brokers).
struct MapSource {
  InputOptions input;
  KafkaOptions kafka;

  /// Adds --events, the input options and the Kafka options; --events excludes --brokers.
  void add_to(CLI::App& command);
  /// Throws CLI::RequiredError when neither is given.
  void require_one() const;
  consumer::AggregatesBuilder load() const;
};

/// A --from/--to value: a UTC day, checked; nullopt when empty.
std::optional<std::string> day_option(const std::string& day, const char* name);

}  // namespace relmap::app
