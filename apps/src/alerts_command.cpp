// relmap alerts: the dead-end-rate alerts, one global pass over the aggregates (or one every N s).
#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "kafka_options.hpp"
#include "relmap/consumer/dead_end_alerts.hpp"

namespace relmap::app {
namespace {

struct AlertsOptions {
  KafkaOptions kafka;
  consumer::DeadEndAlertSettings settings;
  int every_seconds = 0;
};

std::atomic<bool> stop_requested{false};

void run_alerts(const AlertsOptions& options) {
  std::signal(SIGINT, [](int) { stop_requested = true; });
  std::signal(SIGTERM, [](int) { stop_requested = true; });
  do {
    const auto added = consumer::publish_dead_end_alerts(options.kafka.config(), options.kafka.stream_topics(), options.settings);
    std::cout << added << " new dead-end alert(s) in " << options.kafka.alerts_topic << "\n" << std::flush;
    for (int waited = 0; options.every_seconds > 0 && waited < options.every_seconds * 10 && !stop_requested; ++waited) {
      std::this_thread::sleep_for(std::chrono::milliseconds{100});
    }
  } while (options.every_seconds > 0 && !stop_requested);
}

}  // namespace

void add_alerts_command(CLI::App& app) {
  auto options = std::make_shared<AlertsOptions>();
  auto* command = app.add_subcommand(
      "alerts", "Publish an alert, once, for each relationship whose dead-end rate crossed the threshold");
  options->kafka.add_to(*command, true);
  command->add_option("--dead-end-rate", options->settings.rule.threshold, "alert at this share of dead ends or more")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--minimum-requests", options->settings.rule.minimum_requests, "... among at least this many requests")
      ->capture_default_str();
  command->add_option("--every", options->every_seconds, "repeat every this many seconds (default: one pass)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--transactional-id", options->settings.transactional_id,
                      "transactional.id of the evaluator (one evaluator per id at a time)")
      ->capture_default_str();
  command->callback([options] { run_alerts(*options); });
}

}  // namespace relmap::app
