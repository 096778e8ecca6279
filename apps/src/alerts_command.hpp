#pragma once
// relmap alerts' role, shared with relmap run.

#include "kafka_options.hpp"
#include "roles.hpp"
#include "relmap/consumer/dead_end_alerts.hpp"

namespace relmap::app {

struct AlertsOptions {
  KafkaOptions kafka;
  consumer::DeadEndAlertSettings settings;
  int every_seconds = 0;  ///< 0: one pass
};

/// One pass over the aggregates, or one every `every_seconds` until `lifetime` stops.
void run_alerts(const AlertsOptions& options, const Lifetime& lifetime);

}  // namespace relmap::app
