#pragma once
// Alerts delivered where people are: every committed record of the alerts topic POSTed to each
// configured webhook, at least once, in order. Each webhook is a consumer group of its own whose
// committed offsets are what it has been given (delivered, or dead-lettered after it refused or the
// retries ran out), so a restart resumes after the last alert it was given and a crash sends at most
// the alert in hand again, under the same idempotency key.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "relmap/kafka/config.hpp"
#include "relmap/kafka/topology.hpp"

namespace relmap::consumer {

enum class WebhookFormat { json, slack };

struct Webhook {
  std::string name;  ///< in logs, dead letters and its consumer group; the URL is a secret (Slack's hold a token)
  WebhookFormat format = WebhookFormat::json;
  std::string url;   ///< http:// or https://
};

/// Reads "NAME json|slack URL" lines ('#' starts a comment). Throws std::runtime_error naming the
/// file and line, never the URL.
std::vector<Webhook> read_webhook_file(const std::string& path);

struct WebhookSettings {
  std::vector<Webhook> webhooks;
  std::string public_url;  ///< where the web pages are served, for the alerts' links; empty: no links
  std::string dead_letter_topic = kafka::topology::kAlertsDeadLetterTopic;
  std::string group_prefix = "relmap-webhook-";  ///< a webhook's consumer group: the prefix and its name
  int attempts = 8;  ///< tries of one alert before it goes to the dead-letter topic
  std::chrono::milliseconds first_retry{1000};  ///< doubled after each try, up to longest_retry
  std::chrono::milliseconds longest_retry{60'000};
  std::chrono::milliseconds request_timeout{10'000};
};

/// The same alert record (key and value) always has the same key: 32 hex digits of SHA-256.
std::string alert_idempotency_key(std::string_view record_key, std::string_view alert_json);

/// The body a webhook receives for one alert (docs/alerts.md): relmap's JSON form, or the
/// Slack-compatible incoming-webhook form ({"text": ...}). `alert_json` is the alerts topic's value.
std::string webhook_body(WebhookFormat format, std::string_view alert_json, const std::string& idempotency_key,
                         const std::string& public_url);

/// What an HTTP status means for a delivery: 2xx delivered; 408, 425, 429 and 5xx (and no answer)
/// worth another try; any other status refused for good.
enum class DeliveryVerdict { delivered, refused, retry };
DeliveryVerdict verdict_of(int status);

/// Delivers the alerts topic's committed records to `webhook` until `wait_or_stop` (which sleeps up
/// to the duration it is given) returns true. Throws KafkaException when Kafka fails.
void deliver_alerts(const kafka::Config& config, const std::string& alerts_topic, const Webhook& webhook,
                    const WebhookSettings& settings, const std::function<bool(std::chrono::milliseconds)>& wait_or_stop);

}  // namespace relmap::consumer
