#pragma once
// relmap alerts' role, shared with relmap run.

#include "kafka_options.hpp"
#include "roles.hpp"
#include "relmap/consumer/alert_webhooks.hpp"
#include "relmap/consumer/dead_end_alerts.hpp"

namespace relmap::app {

struct AlertsOptions {
  KafkaOptions kafka;
  consumer::DeadEndAlertSettings settings;
  int every_seconds = 0;  ///< 0: one pass
  std::string webhook_file;  ///< empty: no webhooks
  int webhook_retry_ms = 1000;  ///< the first pause between tries
  consumer::WebhookSettings webhooks;  ///< the webhooks themselves are read from webhook_file
};

/// One pass over the aggregates, or one every `every_seconds` until `lifetime` stops, the alerts
/// delivered meanwhile to the webhooks of `webhook_file` (one thread each).
void run_alerts(const AlertsOptions& options, const Lifetime& lifetime);

}  // namespace relmap::app
