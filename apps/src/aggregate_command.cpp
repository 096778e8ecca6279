// relmap aggregate: the exactly-once streaming aggregation, one member of a consumer group.
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>
#include <unistd.h>

#include "commands.hpp"
#include "kafka_options.hpp"
#include "time_bounds_options.hpp"
#include "relmap/consumer/stream_aggregator.hpp"

namespace relmap::app {
namespace {

struct AggregateOptions {
  KafkaOptions kafka;
  consumer::StreamSettings settings;
  TimeBoundsOptions time_bounds;
  int batch_ms = static_cast<int>(consumer::StreamSettings{}.batch_time.count());
  int retention_days = 90;
};

std::atomic<bool> stop_requested{false};

void request_stop(int) { stop_requested = true; }

void run_aggregate(AggregateOptions& options) {
  if (options.settings.instance_id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    options.settings.instance_id = std::string(host) + "-" + std::to_string(::getpid());
  }
  options.settings.batch_time = std::chrono::milliseconds{options.batch_ms};
  options.settings.retention = std::chrono::hours{24 * options.retention_days};
  options.settings.time_bounds = options.time_bounds.bounds();
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  consumer::StreamAggregator aggregator(options.kafka.config(), options.kafka.stream_topics(), options.settings);
  aggregator.run(stop_requested);
  const auto& counters = aggregator.counters();
  std::cerr << "relmap aggregate: " << counters.messages << " message(s), " << counters.rejected << " rejected, "
            << counters.transactions << " transaction(s), " << counters.aborts << " abort(s), " << counters.restores
            << " restore(s) in " << counters.restore_time.count() << " ms\n";
}

}  // namespace

void add_aggregate_command(CLI::App& app) {
  auto options = std::make_shared<AggregateOptions>();
  auto* command = app.add_subcommand("aggregate", "Aggregate the event stream exactly once (a consumer-group member)");
  options->kafka.add_to(*command, true);
  options->time_bounds.add_to(*command);
  command->add_flag("--stop-at-end", options->settings.stop_at_end,
                    "exit 0 once everything in the topic at start is processed and committed");
  command->add_option("--group", options->settings.group, "consumer group")->capture_default_str();
  command->add_option("--instance-id", options->settings.instance_id,
                      "stable id of this instance (its transactional.id); default: host and pid");
  command->add_option("--batch-messages", options->settings.batch_messages, "messages per transaction at most")
      ->capture_default_str();
  command->add_option("--batch-ms", options->batch_ms, "milliseconds per transaction at most")->capture_default_str();
  command->add_option("--threads", options->settings.apply_threads,
                      "threads that decode and apply events, each for some of the partitions")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  command->add_option("--retention-days", options->retention_days, "cases idle this long (event time) leave the state")
      ->capture_default_str();
  command->callback([options] { run_aggregate(*options); });
}

}  // namespace relmap::app
