#include "run_settings.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "listen_option.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/time.hpp"

namespace relmap::app {
namespace {

const char* kind_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number with a fraction";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date or time";
  }
}

/// A TOML string: JSON's escapes are TOML's for everything JSON writes.
std::string toml_string(std::string_view text) {
  JsonWriter writer;
  writer.value(text);
  return writer.str();
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

/// Edits (insertions, deletions, substitutions) between two short names.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// Kafka properties whose values are not printed: passwords, secrets, private keys.
bool is_secret_property(std::string_view name) {
  for (const std::string_view word : {"password", "secret", "key.pem", "private", "token"}) {
    if (name.find(word) != std::string_view::npos) return true;
  }
  return false;
}

std::string section_of(std::string_view name) {
  const auto dot = name.find('.');
  return dot == std::string_view::npos ? std::string() : std::string(name.substr(0, dot));
}

std::string line_of(const toml::source_region& source, const std::string& path) {
  return path + ":" + std::to_string(source.begin.line);
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

}  // namespace

std::string RunSettings::environment_name(std::string_view key) {
  std::string name = "RELMAP_";
  for (const char c : key) name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

RunSettings::Key& RunSettings::add(std::string name, Kind kind, std::string help) {
  Key& added = keys_.emplace_back();
  added.name = std::move(name);
  added.kind = kind;
  added.help = std::move(help);
  return added;
}

void RunSettings::text(std::string name, std::string& target, std::string help, std::vector<std::string> choices) {
  Key& key = add(std::move(name), Kind::text, std::move(help));
  key.choices = std::move(choices);
  key.set = [&target](const Value& value) { target = std::get<std::string>(value); };
  key.show = [&target] { return toml_string(target); };
}

template <typename Integer>
void RunSettings::integer(std::string name, Integer& target, std::string help, std::int64_t minimum, std::int64_t maximum) {
  Key& key = add(std::move(name), Kind::integer, std::move(help));
  key.minimum = static_cast<double>(minimum);
  key.maximum = static_cast<double>(maximum);
  key.set = [&target](const Value& value) { target = static_cast<Integer>(std::get<std::int64_t>(value)); };
  key.show = [&target] { return std::to_string(target); };
}

void RunSettings::number(std::string name, double& target, std::string help, double minimum, double maximum) {
  Key& key = add(std::move(name), Kind::number, std::move(help));
  key.minimum = minimum;
  key.maximum = maximum;
  key.set = [&target](const Value& value) { target = std::get<double>(value); };
  key.show = [&target] {
    std::ostringstream text;
    text << target;
    const std::string shown = text.str();
    // TOML tells a float by its point: 2 would read back as an integer.
    return shown.find_first_of(".e") == std::string::npos ? shown + ".0" : shown;
  };
}

void RunSettings::boolean(std::string name, bool& target, std::string help) {
  Key& key = add(std::move(name), Kind::boolean, std::move(help));
  key.set = [&target](const Value& value) { target = std::get<bool>(value); };
  key.show = [&target] { return std::string(target ? "true" : "false"); };
}

void RunSettings::list(std::string name, std::vector<std::string>& target, std::string help, std::vector<std::string> choices) {
  Key& key = add(std::move(name), Kind::list, std::move(help));
  key.choices = std::move(choices);
  key.set = [&target](const Value& value) { target = std::get<std::vector<std::string>>(value); };
  key.show = [&target] {
    std::string text = "[";
    for (const auto& item : target) text += (text.size() > 1 ? ", " : "") + toml_string(item);
    return text + "]";
  };
}

void RunSettings::properties(std::string name, std::vector<std::string>& target, std::string help) {
  Key& key = add(std::move(name), Kind::properties, std::move(help));
  key.set = [&target](const Value& value) {
    for (const auto& [property, setting] : std::get<std::vector<std::pair<std::string, std::string>>>(value)) {
      target.push_back(property + "=" + setting);
    }
  };
  key.show = [&target] {
    std::string text = "{";
    for (const auto& assignment : target) {
      const auto equals = assignment.find('=');
      const std::string property = assignment.substr(0, equals);
      text += (text.size() > 1 ? ", " : " ") + toml_string(property) + " = " +
              toml_string(is_secret_property(property) ? "(hidden)" : assignment.substr(equals + 1));
    }
    return text + (text.size() > 1 ? " }" : "}");
  };
}

RunSettings::RunSettings() {
  auto& c = config_;
  list("roles", c.roles, "what this process runs: any of ingest, aggregate, alerts, serve",
       {"ingest", "aggregate", "alerts", "serve"});
  keys_.back().required = true;

  text("log.level", c.log_level, "trace, debug, info, warn, error or off",
       {"trace", "debug", "info", "warn", "error", "critical", "off"});
  text("log.format", c.log_format, "text, or json: one object per line for a log collector", {"text", "json"});

  text("kafka.brokers", c.kafka.brokers, "bootstrap servers, host:port,...");
  keys_.back().required = true;
  text("kafka.properties_file", c.kafka.properties_file,
       "librdkafka properties file (key=value lines), for secrets kept apart: sasl.password, ssl.key.password");
  properties("kafka.properties", c.kafka.properties,
             "librdkafka properties, passed through untouched (security.protocol, sasl.mechanism, ssl.ca.location, ...); "
             "they win over the file");

  text("topics.events", c.kafka.topics.events, "the events topic");
  text("topics.dead_letter", c.kafka.topics.dead_letter, "invalid records, with the reason");
  text("topics.changelog", c.kafka.changelog_topic, "the aggregator's state (compacted)");
  text("topics.aggregates", c.kafka.aggregates_topic, "the aggregates (compacted)");
  text("topics.alerts", c.kafka.alerts_topic, "andon pulls and dead-end alerts");
  text("topics.aggregates_json", c.kafka.aggregates_json_topic,
       "also the aggregates in JSON, for other readers (docs/aggregates.md); empty: not written");
  text("topics.alerts_dead_letter", c.kafka.alerts_dead_letter_topic, "alerts a webhook did not take, with the reason");
  text("topics.departments", c.kafka.departments_topic, "the department directory (compacted)");

  text("privacy.actor_key_file", c.kafka.actor_key_file,
       "key of the HMAC that replaces actors (else RELMAP_ACTOR_KEY holds the key; without one, actors are dropped)");

  text("events.earliest_day", c.time_bounds.earliest_day, "events before this day (UTC) are invalid: implausible_time");
  integer("events.latest_ahead_hours", c.time_bounds.latest_ahead_hours,
          "events more than this many hours after the time they are processed are invalid", 0, 24 * 366 * 100);

  text("ingest.listen", c.ingest.listen, "HOST:PORT of POST /v1/events");
  text("ingest.token_file", c.ingest.token_file, "accepted bearer tokens, one per line (also RELMAP_INGEST_TOKENS); read again on SIGHUP");
  boolean("ingest.insecure_no_auth", c.ingest.settings.allow_unauthenticated, "accept requests without a token (local use only)");
  integer("ingest.max_body_bytes", c.ingest.settings.max_body_bytes, "larger request bodies get 413", 1, std::int64_t{1} << 40);
  integer("ingest.body_timeout_ms", c.ingest.body_timeout_ms, "a body slower than this gets 408", 1, 3'600'000);
  integer("ingest.delivery_timeout_ms", c.ingest.delivery_timeout_ms,
          "how long Kafka may take to acknowledge before the answer is 503", 1, 3'600'000);
  number("ingest.requests_per_second", c.ingest.settings.requests_per_second_per_token,
         "requests a second each token may send on average (0: no limit); more get 429 with Retry-After", 0, 1e9);
  number("ingest.burst", c.ingest.settings.burst_per_token, "requests a token may send at once within its rate", 1, 1e9);
  text("ingest.tls_certificate_file", c.ingest.settings.tls_certificate_file, "HTTPS: the certificate chain (PEM); empty: HTTP");
  text("ingest.tls_key_file", c.ingest.settings.tls_key_file, "HTTPS: the certificate's private key (PEM)");
  integer("ingest.http_threads", c.ingest.settings.http_threads, "threads reading, checking and publishing requests", 1, 1024);

  text("aggregate.group", c.aggregate.settings.group, "consumer group of the aggregators");
  text("aggregate.instance_id", c.aggregate.settings.instance_id,
       "stable id of this instance (its transactional.id), unique in the group; default: host and pid");
  integer("aggregate.batch_messages", c.aggregate.settings.batch_messages, "messages per transaction at most", 1, 100'000'000);
  integer("aggregate.batch_ms", c.aggregate.batch_ms, "milliseconds per transaction at most", 1, 600'000);
  integer("aggregate.threads", c.aggregate.settings.apply_threads, "threads that decode and apply events", 1, 64);
  integer("aggregate.retention_days", c.aggregate.retention_days, "cases idle this long (event time) leave the state", 1, 36'600);

  number("alerts.dead_end_rate", c.alerts.settings.rule.threshold, "alert at this share of dead ends or more", 0, 1);
  integer("alerts.minimum_requests", c.alerts.settings.rule.minimum_requests, "... among at least this many requests", 0,
          std::int64_t{1} << 40);
  integer("alerts.every_seconds", c.alerts.every_seconds, "evaluate this often", 1, 86'400);
  text("alerts.transactional_id", c.alerts.settings.transactional_id, "transactional.id of the evaluator (one at a time)");
  text("alerts.webhook_file", c.alerts.webhook_file,
       "webhooks that receive every alert, NAME json|slack URL per line (the URLs are secrets: keep the file apart)");
  text("alerts.public_url", c.alerts.webhooks.public_url, "where the pages are served, for the links in webhooks' alerts");
  integer("alerts.webhook_attempts", c.alerts.webhooks.attempts, "tries of an alert before it goes to the dead-letter topic",
          1, 1000);
  integer("alerts.webhook_retry_ms", c.alerts.webhook_retry_ms, "pause before an alert's second try, doubled for each next",
          1, 60'000);

  text("serve.listen", c.serve.listen, "HOST:PORT of the API and the pages");
  text("serve.token_file", c.serve.token_file, "bearer tokens and roles, TOKEN operations|department:ID per line; read again on SIGHUP");
  boolean("serve.insecure_no_auth", c.serve.insecure_no_auth, "answer requests without a token as operations (local use only)");
  text("serve.web_root", c.serve.web_root, "the web pages' built files; empty: those installed beside the binary");
  number("serve.refresh_seconds", c.serve.refresh_seconds, "look at the topics this often for new data", 0.05, 86'400);
  number("serve.requests_per_second", c.serve.requests_per_second,
         "API requests a second each token may send on average (0: no limit); more get 429 with Retry-After", 0, 1e9);
  number("serve.burst", c.serve.burst, "API requests a token may send at once within its rate", 1, 1e9);
  text("serve.tls_certificate_file", c.serve.http.tls_certificate_file, "HTTPS: the certificate chain (PEM); empty: HTTP");
  text("serve.tls_key_file", c.serve.http.tls_key_file, "HTTPS: the certificate's private key (PEM)");
  integer("serve.http_threads", c.serve.http.threads, "threads answering requests", 1, 1024);
}

RunSettings::Key* RunSettings::find(std::string_view name) {
  const auto found = std::find_if(keys_.begin(), keys_.end(), [&](const Key& key) { return key.name == name; });
  return found == keys_.end() ? nullptr : &*found;
}

const RunSettings::Key& RunSettings::key(std::string_view name) const {
  return *std::find_if(keys_.begin(), keys_.end(), [&](const Key& key) { return key.name == name; });
}

std::string RunSettings::unknown_key_message(std::string_view name) const {
  std::string message = "unknown key " + std::string(name);
  const Key* nearest = nullptr;
  std::size_t best = 3;  // a typo, not another key
  for (const auto& key : keys_) {
    if (const auto distance = edit_distance(name, key.name); distance < best) {
      best = distance;
      nearest = &key;
    }
  }
  if (nearest != nullptr) message += " (did you mean " + nearest->name + "?)";
  return message;
}

void RunSettings::store(Key& key, Value value, const std::string& origin) {
  const auto fail = [&](const std::string& why) { throw ConfigError(origin + ": " + key.name + ": " + why); };
  const auto check_number = [&](double number) {
    if (key.minimum != key.maximum && (number < key.minimum || number > key.maximum)) {
      std::ostringstream range;
      range << "must be from " << key.minimum << " to " << key.maximum;
      fail(range.str());
    }
  };
  const auto check_choice = [&](const std::string& text) {
    if (!key.choices.empty() && std::find(key.choices.begin(), key.choices.end(), text) == key.choices.end()) {
      fail(toml_string(text) + " is not one of " + joined(key.choices));
    }
  };
  if (const auto* number = std::get_if<std::int64_t>(&value)) check_number(static_cast<double>(*number));
  if (const auto* number = std::get_if<double>(&value)) {
    if (!std::isfinite(*number)) fail("must be a finite number");
    check_number(*number);
  }
  if (const auto* text = std::get_if<std::string>(&value)) check_choice(*text);
  if (const auto* items = std::get_if<std::vector<std::string>>(&value)) {
    std::set<std::string> seen;
    for (const auto& item : *items) {
      check_choice(item);
      if (!seen.insert(item).second) fail(toml_string(item) + " is named twice");
    }
  }
  key.set(value);
  // Properties add up, each layer's over the last: every layer that gave some is named.
  key.origin = key.kind == Kind::properties && key.origin != "default" ? key.origin + ", " + origin : origin;
}

void RunSettings::read_file(const std::string& path) {
  toml::table document;
  try {
    document = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    if (error.source().begin.line == 0) throw ConfigError(path + ": " + std::string(error.description()));
    throw ConfigError(path + ":" + std::to_string(error.source().begin.line) + ":" + std::to_string(error.source().begin.column) +
                      ": not TOML: " + std::string(error.description()));
  }
  const auto read_table = [&](const auto& self, const toml::table& table, const std::string& prefix) -> void {
    for (auto&& [name, node] : table) {
      const std::string full = prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
      const std::string origin = line_of(node.source(), path);
      Key* key = find(full);
      if (key == nullptr) {
        const bool is_section = node.is_table() && std::any_of(keys_.begin(), keys_.end(), [&](const Key& known) {
          return known.name.starts_with(full + ".");
        });
        if (!is_section) throw ConfigError(origin + ": " + unknown_key_message(full));
        self(self, *node.as_table(), full);
        continue;
      }
      const auto wrong_type = [&](const char* expected) {
        throw ConfigError(origin + ": " + full + ": expected " + expected + ", got " + kind_name(node.type()));
      };
      switch (key->kind) {
        case Kind::text:
          if (!node.is_string()) wrong_type("a string");
          store(*key, node.as_string()->get(), origin);
          break;
        case Kind::integer:
          if (!node.is_integer()) wrong_type("an integer");
          store(*key, node.as_integer()->get(), origin);
          break;
        case Kind::number:
          if (node.is_integer()) {
            store(*key, static_cast<double>(node.as_integer()->get()), origin);
          } else {
            if (!node.is_floating_point()) wrong_type("a number");
            store(*key, node.as_floating_point()->get(), origin);
          }
          break;
        case Kind::boolean:
          if (!node.is_boolean()) wrong_type("true or false");
          store(*key, node.as_boolean()->get(), origin);
          break;
        case Kind::list: {
          if (!node.is_array()) wrong_type("an array of strings");
          std::vector<std::string> items;
          for (const auto& item : *node.as_array()) {
            if (!item.is_string()) wrong_type("an array of strings");
            items.push_back(item.as_string()->get());
          }
          store(*key, std::move(items), origin);
          break;
        }
        case Kind::properties: {
          if (!node.is_table()) wrong_type("a table of librdkafka properties");
          std::vector<std::pair<std::string, std::string>> assignments;
          // Dotted names unquoted (security.protocol = "SSL") are nested tables in TOML: joined again.
          const auto flatten = [&](const auto& again, const toml::table& properties, const std::string& stem) -> void {
            for (auto&& [property, setting] : properties) {
              const std::string property_name = stem.empty() ? std::string(property.str()) : stem + "." + std::string(property.str());
              if (const auto* nested = setting.as_table()) {
                again(again, *nested, property_name);
              } else if (setting.is_string()) {
                assignments.emplace_back(property_name, setting.as_string()->get());
              } else if (setting.is_integer()) {
                assignments.emplace_back(property_name, std::to_string(setting.as_integer()->get()));
              } else if (setting.is_boolean()) {
                assignments.emplace_back(property_name, setting.as_boolean()->get() ? "true" : "false");
              } else {
                throw ConfigError(line_of(setting.source(), path) + ": " + full + "." + property_name +
                                  ": expected a string, an integer or a boolean, got " + kind_name(setting.type()));
              }
            }
          };
          flatten(flatten, *node.as_table(), "");
          store(*key, std::move(assignments), origin);
          break;
        }
      }
    }
  };
  read_table(read_table, document, "");
}

RunSettings::Value RunSettings::parse_text(const Key& key, std::string_view text, const std::string& origin) const {
  const auto fail = [&](const char* expected) -> Value {
    throw ConfigError(origin + ": " + key.name + ": expected " + expected + ", got " + toml_string(text));
  };
  switch (key.kind) {
    case Kind::text:
      return std::string(text);
    case Kind::integer: {
      std::int64_t number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc{} || end != text.data() + text.size()) return fail("an integer");
      return number;
    }
    case Kind::number: {
      double number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (error != std::errc{} || end != text.data() + text.size()) return fail("a number");
      return number;
    }
    case Kind::boolean:
      if (text == "true") return true;
      if (text == "false") return false;
      return fail("true or false");
    case Kind::list: {
      std::vector<std::string> items;
      std::string item;
      for (std::istringstream in{std::string(text)}; std::getline(in, item, ',');) {
        if (auto name = trimmed(item); !name.empty()) items.push_back(std::move(name));
      }
      return items;
    }
    case Kind::properties:
      break;
  }
  return fail("a librdkafka property (kafka.properties.NAME=VALUE)");
}

void RunSettings::read_environment(const std::function<const char*(const char*)>& lookup) {
  for (auto& key : keys_) {
    if (key.kind == Kind::properties) continue;  // a table: kafka.properties_file takes them from a file
    const std::string variable = environment_name(key.name);
    if (const char* value = lookup(variable.c_str()); value != nullptr) store(key, parse_text(key, value, variable), variable);
  }
}

void RunSettings::assign(std::string_view assignment, std::string_view origin) {
  const auto equals = assignment.find('=');
  const std::string where(origin);
  if (equals == std::string_view::npos) throw ConfigError(where + ": expected KEY=VALUE, got " + toml_string(assignment));
  const std::string name = trimmed(assignment.substr(0, equals));
  const std::string_view value = assignment.substr(equals + 1);
  const std::string properties_prefix = "kafka.properties.";
  if (name.starts_with(properties_prefix) && name.size() > properties_prefix.size()) {
    store(*find("kafka.properties"), std::vector<std::pair<std::string, std::string>>{{name.substr(properties_prefix.size()), std::string(value)}},
          where);
    return;
  }
  Key* key = find(name);
  if (key == nullptr) throw ConfigError(where + ": " + unknown_key_message(name));
  store(*key, parse_text(*key, value, where), where);
}

const RunConfig& RunSettings::finish() {
  const auto fail = [&](std::string_view name, const std::string& why) {
    const auto& known = key(name);
    throw ConfigError((known.origin == "default" ? "" : known.origin + ": ") + std::string(name) + ": " + why);
  };
  for (const auto& known : keys_) {
    if (known.required && known.origin == "default") {
      fail(known.name, "required (in the file, " + environment_name(known.name) + " or --set " + known.name + "=...)");
    }
  }
  auto& c = config_;
  if (c.roles.empty()) fail("roles", "name at least one of ingest, aggregate, alerts, serve");
  const auto runs = [&](std::string_view role) { return std::find(c.roles.begin(), c.roles.end(), role) != c.roles.end(); };

  const auto check_listen = [&](std::string_view name, const std::string& listen) {
    try {
      (void)parse_listen(listen);
    } catch (const std::invalid_argument& error) {
      fail(name, error.what());
    }
  };
  const auto check_file = [&](std::string_view name, const std::string& path, bool directory = false) {
    std::error_code error;
    if (!path.empty() && !(directory ? std::filesystem::is_directory(path, error) : std::filesystem::is_regular_file(path, error))) {
      fail(name, (directory ? "no such directory: " : "no such file: ") + path);
    }
  };
  const auto check_tls = [&](const std::string& role, const std::string& certificate, const std::string& key) {
    check_file(role + ".tls_certificate_file", certificate);
    check_file(role + ".tls_key_file", key);
    if (certificate.empty() != key.empty()) {
      fail(role + (certificate.empty() ? ".tls_certificate_file" : ".tls_key_file"), "HTTPS needs both the certificate and its key");
    }
  };
  check_file("kafka.properties_file", c.kafka.properties_file);
  check_file("privacy.actor_key_file", c.kafka.actor_key_file);
  if (!parse_rfc3339(c.time_bounds.earliest_day + "T00:00:00Z")) fail("events.earliest_day", "not a day (YYYY-MM-DD): " + c.time_bounds.earliest_day);
  if (runs("ingest")) {
    check_listen("ingest.listen", c.ingest.listen);
    check_file("ingest.token_file", c.ingest.token_file);
    check_tls("ingest", c.ingest.settings.tls_certificate_file, c.ingest.settings.tls_key_file);
    const char* environment_tokens = std::getenv("RELMAP_INGEST_TOKENS");
    if (c.ingest.token_file.empty() && !c.ingest.settings.allow_unauthenticated && (environment_tokens == nullptr || *environment_tokens == '\0')) {
      fail("ingest.token_file", "required by the ingest role (or RELMAP_INGEST_TOKENS, or ingest.insecure_no_auth = true for local use)");
    }
  }
  if (runs("serve")) {
    check_listen("serve.listen", c.serve.listen);
    check_file("serve.token_file", c.serve.token_file);
    check_tls("serve", c.serve.http.tls_certificate_file, c.serve.http.tls_key_file);
    check_file("serve.web_root", c.serve.web_root, true);
    if (c.serve.token_file.empty() && !c.serve.insecure_no_auth) {
      fail("serve.token_file", "required by the serve role (or serve.insecure_no_auth = true for local use)");
    }
  }
  if (runs("alerts")) {
    check_file("alerts.webhook_file", c.alerts.webhook_file);
    if (!c.alerts.webhook_file.empty()) {
      try {
        consumer::read_webhook_file(c.alerts.webhook_file);
      } catch (const std::runtime_error& error) {
        fail("alerts.webhook_file", error.what());
      }
    }
  }
  if (runs("ingest") && runs("serve")) {
    const auto ingest = parse_listen(c.ingest.listen);
    const auto serve = parse_listen(c.serve.listen);
    if (ingest.port != 0 && ingest.port == serve.port && ingest.host == serve.host) {
      fail("serve.listen", "the same address as ingest.listen (" + c.serve.listen + ")");
    }
  }

  // Every role reads and writes the same cluster and topics, and judges time alike.
  c.ingest.kafka = c.aggregate.kafka = c.alerts.kafka = c.serve.source.kafka = c.kafka;
  c.ingest.time_bounds = c.aggregate.time_bounds = c.time_bounds;
  return c;
}

std::string RunSettings::describe() const {
  std::ostringstream out;
  out << "# relmap run: the configuration in effect. After each value, where it came from: a line of the\n"
         "# file, an environment variable, a flag, or the default.\n";
  std::string section = "-";
  for (const auto& known : keys_) {
    const std::string key_section = section_of(known.name);
    if (key_section != section) {
      section = key_section;
      if (!section.empty()) out << "\n[" << section << "]\n";
    }
    out << "# " << known.help << "\n"
        << known.name.substr(section.empty() ? 0 : section.size() + 1) << " = " << known.show() << "  # " << known.origin << "\n";
  }
  return out.str();
}

}  // namespace relmap::app
