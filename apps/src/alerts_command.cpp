// relmap alerts: the dead-end-rate alerts, one global pass over the aggregates (or one every N s).
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "alerts_command.hpp"
#include "commands.hpp"
#include "relmap/common/logging.hpp"

namespace relmap::app {

namespace {

/// One webhook's delivery until the role stops; a Kafka failure is logged and the delivery starts
/// again after a pause (from what the webhook's group has committed).
void deliver_until_stopped(const AlertsOptions& options, const consumer::Webhook& webhook, consumer::WebhookSettings settings,
                           const Lifetime& lifetime) {
  settings.dead_letter_topic = options.kafka.alerts_dead_letter_topic;
  settings.first_retry = std::chrono::milliseconds(options.webhook_retry_ms);
  const auto wait_or_stop = [&lifetime](std::chrono::milliseconds pause) {
    return pause.count() == 0 ? lifetime.stopping() : lifetime.wait_for(pause);
  };
  while (!lifetime.stopping()) {
    try {
      consumer::deliver_alerts(options.kafka.config(), options.kafka.alerts_topic, webhook, settings, wait_or_stop);
    } catch (const std::exception& error) {
      relmap::logger("webhooks")->warn("webhook {}: {}; starting again in 5 s", webhook.name, error.what());
      lifetime.wait_for(std::chrono::seconds(5));
    }
  }
}

}  // namespace

void run_alerts(const AlertsOptions& options, const Lifetime& lifetime) {
  std::vector<std::jthread> deliveries;
  if (!options.webhook_file.empty()) {
    if (options.every_seconds == 0) throw std::invalid_argument("webhooks need --every: delivering alerts is a service");
    for (const auto& webhook : consumer::read_webhook_file(options.webhook_file)) {
      deliveries.emplace_back([&options, webhook, &lifetime] { deliver_until_stopped(options, webhook, options.webhooks, lifetime); });
    }
  }
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
  command->add_option("--webhook-file", options->webhook_file,
                      "deliver every alert to the webhooks of this file, NAME json|slack URL per line (needs --every)")
      ->check(CLI::ExistingFile);
  command->add_option("--public-url", options->webhooks.public_url,
                      "where relmap serve's pages are, for the links in webhooks' alerts (https://relmap.example.com)");
  command->add_option("--webhook-attempts", options->webhooks.attempts, "tries of an alert before its dead letter")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--webhook-retry-ms", options->webhook_retry_ms,
                      "pause before an alert's second try, doubled for each next (at most a minute)")
      ->check(CLI::Range(1, 60'000))
      ->capture_default_str();
  command->add_option("--transactional-id", options->settings.transactional_id,
                      "transactional.id of the evaluator (one evaluator per id at a time)")
      ->capture_default_str();
  command->callback([options] {
    const StopSignals signals;  // before any thread starts
    run_roles({{"alerts", [options](const Lifetime& lifetime) { run_alerts(*options, lifetime); }}}, signals, "relmap alerts");
  });
}

}  // namespace relmap::app
