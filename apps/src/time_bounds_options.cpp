#include "time_bounds_options.hpp"

#include "relmap/common/time.hpp"

namespace relmap::app {

void TimeBoundsOptions::add_to(CLI::App& command) {
  command.add_option("--earliest", earliest_day, "events before this day (UTC) are invalid: implausible_time")
      ->capture_default_str();
  command.add_option("--latest-ahead-hours", latest_ahead_hours,
                     "events more than this many hours after the time they are processed are invalid")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

schemas::TimeBounds TimeBoundsOptions::bounds() const {
  schemas::TimeBounds bounds;
  const auto earliest = parse_rfc3339(earliest_day + "T00:00:00Z");
  if (!earliest) throw CLI::ValidationError("--earliest", "not a day (YYYY-MM-DD): " + earliest_day);
  bounds.earliest = *earliest;
  bounds.latest_ahead = std::chrono::hours{latest_ahead_hours};
  return bounds;
}

}  // namespace relmap::app
