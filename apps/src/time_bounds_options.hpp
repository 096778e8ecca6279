#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "relmap/schemas/decoder.hpp"

namespace relmap::app {

/// --earliest DAY and --latest-ahead-hours N: the times an event may carry (schemas::TimeBounds),
/// for every command that judges events (produce, ingest, aggregate, map, report).
struct TimeBoundsOptions {
  std::string earliest_day = "1970-01-01";
  int latest_ahead_hours = 24;

  void add_to(CLI::App& command);
  /// Throws CLI::ValidationError for a day that is not YYYY-MM-DD.
  schemas::TimeBounds bounds() const;
};

}  // namespace relmap::app
