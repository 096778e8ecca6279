// relmap alerts: the dead-end-rate alerts, one global pass over the aggregates (or one every N s).
#include <iostream>
#include <memory>

#include "alerts_command.hpp"
#include "commands.hpp"
#include "relmap/common/logging.hpp"

namespace relmap::app {

void run_alerts(const AlertsOptions& options, const Lifetime& lifetime) {
  do {
    try {
      const auto added = consumer::publish_dead_end_alerts(options.kafka.config(), options.kafka.stream_topics(), options.settings);
      std::cout << added << " new dead-end alert(s) in " << options.kafka.alerts_topic << "\n" << std::flush;
    } catch (const std::exception& error) {
      // One pass: the command fails. Repeating: the next pass evaluates everything again.
      if (options.every_seconds == 0) throw;
      relmap::logger("alerts")->warn("this pass failed ({}); the next one is in {} s", error.what(), options.every_seconds);
    }
  } while (options.every_seconds > 0 && !lifetime.wait_for(std::chrono::seconds(options.every_seconds)));
}

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
  command->callback([options] {
    const StopSignals signals;  // before any thread starts
    run_roles({{"alerts", [options](const Lifetime& lifetime) { run_alerts(*options, lifetime); }}}, signals, "relmap alerts");
  });
}

}  // namespace relmap::app
