#pragma once
// relmap aggregate's role, shared with relmap run.

#include "kafka_options.hpp"
#include "roles.hpp"
#include "time_bounds_options.hpp"
#include "relmap/consumer/stream_aggregator.hpp"

namespace relmap::app {

struct AggregateOptions {
  KafkaOptions kafka;
  consumer::StreamSettings settings;
  TimeBoundsOptions time_bounds;
  int batch_ms = static_cast<int>(consumer::StreamSettings{}.batch_time.count());
  int retention_days = 90;
};

/// One member of the aggregator group until `lifetime` stops (or, with stop_at_end, the end):
/// commits what it has read and leaves the group.
void run_aggregate(AggregateOptions& options, const Lifetime& lifetime);

}  // namespace relmap::app
