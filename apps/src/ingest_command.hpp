#pragma once
// relmap ingest's role, shared with relmap run.

#include <string>

#include "kafka_options.hpp"
#include "roles.hpp"
#include "time_bounds_options.hpp"
#include "relmap/producer/ingest_server.hpp"

namespace relmap::app {

struct IngestOptions {
  KafkaOptions kafka;
  std::string listen = "127.0.0.1:8088";
  std::string token_file;
  producer::IngestSettings settings;
  int delivery_timeout_ms = 10000;
  int body_timeout_ms = 30000;
  TimeBoundsOptions time_bounds;
};

/// Serves POST /v1/events until `lifetime` stops, then flushes what is in flight; reads the token
/// file and RELMAP_INGEST_TOKENS again on each reload.
void run_ingest(IngestOptions& options, const Lifetime& lifetime);

}  // namespace relmap::app
