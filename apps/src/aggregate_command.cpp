// relmap aggregate: the exactly-once streaming aggregation, one member of a consumer group.
#include <memory>
#include <unistd.h>

#include "aggregate_command.hpp"
#include "commands.hpp"
#include "relmap/common/logging.hpp"

namespace relmap::app {

void run_aggregate(AggregateOptions& options, const Lifetime& lifetime) {
  if (options.settings.instance_id.empty()) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    options.settings.instance_id = std::string(host) + "-" + std::to_string(::getpid());
  }
  options.settings.batch_time = std::chrono::milliseconds{options.batch_ms};
  options.settings.retention = std::chrono::hours{24 * options.retention_days};
  options.settings.time_bounds = options.time_bounds.bounds();
  consumer::StreamAggregator aggregator(options.kafka.config(), options.kafka.stream_topics(), options.settings);
  aggregator.run(lifetime.stop_flag());
  const auto& counters = aggregator.counters();
  relmap::logger("aggregate")
      ->info("{} message(s), {} rejected, {} transaction(s), {} abort(s), {} restore(s) in {} ms", counters.messages,
             counters.rejected, counters.transactions, counters.aborts, counters.restores, counters.restore_time.count());
}

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
  command->callback([options] {
    const StopSignals signals;  // before any thread starts
    run_roles({{"aggregate", [options](const Lifetime& lifetime) { run_aggregate(*options, lifetime); }}}, signals,
              "relmap aggregate");
  });
}

}  // namespace relmap::app
