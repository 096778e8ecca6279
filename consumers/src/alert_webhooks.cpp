#include "relmap/consumer/alert_webhooks.hpp"

#include <httplib.h>
#include <openssl/evp.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "relmap/common/json_writer.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/kafka/error.hpp"

namespace relmap::consumer {
namespace {

using namespace std::chrono_literals;

const auto& log() {
  static const auto logger = relmap::logger("webhooks");
  return logger;
}

std::string percent_encoded(std::string_view text) {
  std::string encoded;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      char escape[4];
      std::snprintf(escape, sizeof escape, "%%%02X", c);
      encoded += escape;
    }
  }
  return encoded;
}

std::string string_of(const rapidjson::Value& alert, const char* name) {
  const auto found = alert.FindMember(name);
  if (found == alert.MemberEnd() || !found->value.IsString()) return {};
  return {found->value.GetString(), found->value.GetStringLength()};
}

double number_of(const rapidjson::Value& alert, const char* name) {
  const auto found = alert.FindMember(name);
  return found != alert.MemberEnd() && found->value.IsNumber() ? found->value.GetDouble() : 0.0;
}

/// A sentence for people, and the page that shows the evidence behind it.
struct Described {
  std::string kind;
  std::string summary;
  std::string link;  ///< empty without a public URL
};

Described describe(const rapidjson::Value& alert, const std::string& public_url) {
  Described described{string_of(alert, "kind"), {}, {}};
  const std::string base = public_url.empty() || public_url.back() != '/' ? public_url : public_url.substr(0, public_url.size() - 1);
  if (described.kind == "dead_end_rate") {
    const std::string from = string_of(alert, "from");
    const std::string to = string_of(alert, "to");
    char rate[64];
    std::snprintf(rate, sizeof rate, "%.0f%% of %.0f requests (threshold %.0f%%)", 100 * number_of(alert, "dead_end_rate"),
                  number_of(alert, "requests"), 100 * number_of(alert, "threshold"));
    described.summary = "Dead ends from " + from + " to " + to + ": " + rate;
    // The dead ends are the receiving department's: its cases that ended there are the evidence.
    if (!base.empty()) described.link = base + "/#/cases?department=" + percent_encoded(to) + "&state=dead_end";
  } else {
    const std::string case_id = string_of(alert, "case_id");
    const std::string reason = string_of(alert, "reason");
    described.summary = "Andon pulled by " + string_of(alert, "from") + " about " + string_of(alert, "about") +
                        (string_of(alert, "severity").empty() ? "" : " (" + string_of(alert, "severity") + ")") +
                        (reason.empty() ? "" : ": " + reason) + (case_id.empty() ? "" : ", case " + case_id);
    if (!base.empty() && !case_id.empty()) described.link = base + "/#/cases/" + percent_encoded(case_id);
  }
  return described;
}

/// Slack's mrkdwn reads &, < and > as markup: escaped, a department's name cannot inject a link.
std::string slack_escaped(std::string_view text) {
  std::string escaped;
  for (const char c : text) {
    if (c == '&') escaped += "&amp;";
    else if (c == '<') escaped += "&lt;";
    else if (c == '>') escaped += "&gt;";
    else escaped += c;
  }
  return escaped;
}

struct Attempt {
  DeliveryVerdict verdict = DeliveryVerdict::retry;
  std::string outcome;  ///< "answered 503", "no answer: Connection"
  std::optional<std::chrono::milliseconds> retry_after;
};

/// The scheme, host and port ("https://hooks.example.com:443"), and the path with its query.
std::pair<std::string, std::string> split_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto path_start = scheme_end == std::string::npos ? std::string::npos : url.find('/', scheme_end + 3);
  if (path_start == std::string::npos) return {url, "/"};
  return {url.substr(0, path_start), url.substr(path_start)};
}

Attempt post(const Webhook& webhook, const std::string& body, const std::string& idempotency_key,
             std::chrono::milliseconds timeout) {
  const auto [origin, path] = split_url(webhook.url);
  httplib::Client client(origin);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  client.enable_server_certificate_verification(true);
  const httplib::Headers headers = {{"Idempotency-Key", idempotency_key}, {"User-Agent", "relmap"}};
  const auto answer = client.Post(path, headers, body, "application/json");
  Attempt attempt;
  if (!answer) {
    attempt.outcome = "no answer: " + httplib::to_string(answer.error());
    return attempt;
  }
  attempt.verdict = verdict_of(answer->status);
  attempt.outcome = "answered " + std::to_string(answer->status);
  const std::string retry_after = answer->get_header_value("Retry-After");
  if (!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit) && retry_after.size() < 7) {
    attempt.retry_after = std::chrono::seconds(std::stoi(retry_after));
  }
  return attempt;
}

}  // namespace

std::vector<Webhook> read_webhook_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the webhook file " + path);
  std::vector<Webhook> webhooks;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string name, format, url, extra;
    fields >> name;
    if (name.empty() || name.front() == '#') continue;
    fields >> format >> url >> extra;
    const auto fail = [&](const std::string& why) { throw std::runtime_error(path + ":" + std::to_string(number) + ": " + why); };
    if (url.empty() || !extra.empty()) fail("expected NAME json|slack URL");
    if (format != "json" && format != "slack") fail("the format is json or slack, not \"" + format + "\"");
    if (!url.starts_with("http://") && !url.starts_with("https://")) fail("the URL of " + name + " is not http:// or https://");
    if (std::any_of(webhooks.begin(), webhooks.end(), [&](const Webhook& other) { return other.name == name; })) {
      fail("the name " + name + " is given twice");
    }
    webhooks.push_back({name, format == "slack" ? WebhookFormat::slack : WebhookFormat::json, url});
  }
  return webhooks;
}

std::string alert_idempotency_key(std::string_view record_key, std::string_view alert_json) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  std::string input(record_key);
  input.push_back('\0');
  input.append(alert_json);
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < 16; ++i) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

std::string webhook_body(WebhookFormat format, std::string_view alert_json, const std::string& idempotency_key,
                         const std::string& public_url) {
  rapidjson::Document alert;
  alert.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(alert_json.data(), alert_json.size());
  if (alert.HasParseError() || !alert.IsObject()) throw std::invalid_argument("the alert is not a JSON object");
  const Described described = describe(alert, public_url);
  JsonWriter json;
  json.start_object();
  if (format == WebhookFormat::slack) {
    json.field("text", slack_escaped(described.summary) +
                           (described.link.empty() ? "" : " <" + slack_escaped(described.link) + "|Open in relmap>"));
    json.end_object();
    return json.str();
  }
  json.field("v", 1);
  json.field("idempotency_key", idempotency_key);
  json.field("kind", described.kind);
  json.field("summary", described.summary);
  json.key("link");
  if (described.link.empty()) json.null(); else json.value(described.link);
  json.key("alert");
  json.null();  // replaced by the alert itself, checked above to be a JSON object
  json.end_object();
  std::string body = json.str();
  body.replace(body.size() - std::string_view("null}").size(), 4, alert_json);
  return body;
}

DeliveryVerdict verdict_of(int status) {
  if (status >= 200 && status < 300) return DeliveryVerdict::delivered;
  if (status == 408 || status == 425 || status == 429 || status >= 500) return DeliveryVerdict::retry;
  return DeliveryVerdict::refused;
}

void deliver_alerts(const kafka::Config& config, const std::string& alerts_topic, const Webhook& webhook,
                    const WebhookSettings& settings, const std::function<bool(std::chrono::milliseconds)>& wait_or_stop) {
  kafka::Config reader_config = config;
  reader_config.set("group.id", settings.group_prefix + webhook.name)
      .set("enable.auto.commit", "false")
      .set("auto.offset.reset", "earliest")
      .set("isolation.level", "read_committed");
  kafka::Consumer reader(reader_config);
  reader.subscribe({alerts_topic});
  std::error_code dead_letter_error;  // of the last dead letter's delivery report
  kafka::Producer dead_letters(config, [&](const kafka::Delivery& delivery) { dead_letter_error = delivery.error; });
  const auto throw_on = [](std::error_code error, const std::string& context) {
    if (error) throw kafka::KafkaException(error, context);
  };
  log()->info("delivering {} to webhook {}", alerts_topic, webhook.name);

  while (!wait_or_stop(0ms)) {
    const auto message = reader.poll(500ms);
    if (!message || message.is_end_of_partition()) continue;
    if (!message.is_record()) {
      log()->warn("reading {}: {}", alerts_topic, message.error_text());
      continue;
    }
    const std::string alert(message.value());
    const std::string key = alert_idempotency_key(message.key(), alert);
    std::string refusal;
    try {
      const std::string body = webhook_body(webhook.format, alert, key, settings.public_url);
      auto wait = settings.first_retry;
      for (int attempt = 1;; ++attempt) {
        const Attempt tried = post(webhook, body, key, settings.request_timeout);
        if (tried.verdict == DeliveryVerdict::delivered) break;
        if (tried.verdict == DeliveryVerdict::refused) {
          refusal = webhook.name + " " + tried.outcome + ": refused for good";
          break;
        }
        if (attempt >= settings.attempts) {
          refusal = webhook.name + " " + tried.outcome + " to each of " + std::to_string(attempt) + " tries";
          break;
        }
        const auto pause = std::min(tried.retry_after.value_or(wait), settings.longest_retry);
        log()->warn("webhook {} {} for alert {} (try {} of {}); trying again in {} ms", webhook.name, tried.outcome, key,
                    attempt, settings.attempts, pause.count());
        if (wait_or_stop(pause)) return;  // not committed: the next start sends it again, under its key
        wait = std::min(wait * 2, settings.longest_retry);
      }
    } catch (const std::invalid_argument& error) {
      refusal = std::string(error.what()) + ": not sent to " + webhook.name;
    }
    if (!refusal.empty()) {
      log()->warn("alert {} to the dead-letter topic: {}", key, refusal);
      const kafka::Headers headers = {{kafka::topology::kReasonHeader, refusal},
                                      {kafka::topology::kWebhookHeader, webhook.name},
                                      {kafka::topology::kIdempotencyKeyHeader, key}};
      // Committed past only once the dead letter is stored: until then the alert is nowhere.
      while (true) {
        throw_on(dead_letters.produce(settings.dead_letter_topic, message.key(), alert, headers),
                 "producing to " + settings.dead_letter_topic);
        const auto flushed = dead_letters.flush(30s);
        if (!flushed && !dead_letter_error) break;
        log()->warn("the dead letter of alert {} was not stored ({}): trying again", key,
                    (flushed ? flushed : dead_letter_error).message());
        if (wait_or_stop(1s)) return;
      }
    }
    throw_on(reader.commit({{alerts_topic, message.partition(), message.offset() + 1}}),
             "committing what " + webhook.name + " was given");
  }
  reader.close();
}

}  // namespace relmap::consumer
