#include "kafka_options.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "relmap/common/logging.hpp"

namespace relmap::app {

void KafkaOptions::add_to(CLI::App& command, bool brokers_required, bool brokers_from_environment) {
  auto* brokers_option = command.add_option("--brokers,-b", brokers, "Kafka bootstrap servers (host:port,...)");
  if (brokers_from_environment) brokers_option->envname("RELMAP_KAFKA_BROKERS");
  if (brokers_required) brokers_option->required();
  command.add_option("--kafka-config,-F", properties_file, "librdkafka properties file (key=value lines)")
      ->check(CLI::ExistingFile);
  command.add_option("-X", properties, "librdkafka property key=value, passed through untouched (repeatable)");
  command.add_option("--topic,-t", topics.events, "events topic")->capture_default_str();
  command.add_option("--dlq-topic", topics.dead_letter, "dead-letter topic for invalid records")->capture_default_str();
  command.add_option("--changelog-topic", changelog_topic, "compacted topic of the aggregator's state")->capture_default_str();
  command.add_option("--aggregates-topic", aggregates_topic, "compacted topic of the aggregates")->capture_default_str();
  command.add_option("--alerts-topic", alerts_topic, "topic of the alerts (andon pulls)")->capture_default_str();
  command.add_option("--aggregates-json-topic", aggregates_json_topic,
                     "also write the aggregates in JSON to this compacted topic, for other readers (docs/aggregates.md)");
  command.add_option("--alerts-dlq-topic", alerts_dead_letter_topic, "alerts a webhook did not take, with the reason")
      ->capture_default_str();
  command.add_option("--departments-topic", departments_topic, "compacted topic of the department directory")
      ->capture_default_str();
  command.add_option("--actor-key-file", actor_key_file,
                     "key for the HMAC that replaces actors (else RELMAP_ACTOR_KEY; without a key actors are dropped)")
      ->check(CLI::ExistingFile);
}

namespace {

std::string without_line_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace

producer::PublishSettings KafkaOptions::publish_settings() const {
  producer::PublishSettings settings;
  if (!actor_key_file.empty()) {
    std::ifstream in(actor_key_file, std::ios::binary);
    std::ostringstream key;
    key << in.rdbuf();
    // The line end an editor adds is not part of the key: with it, the file and RELMAP_ACTOR_KEY
    // would give one person two pseudonyms.
    const std::string text = without_line_end(key.str());
    if (!in || text.empty()) throw std::runtime_error("cannot read an actor key from " + actor_key_file);
    settings.actor_key = text;
  } else if (const char* key = std::getenv("RELMAP_ACTOR_KEY"); key != nullptr && *key != '\0') {
    settings.actor_key = without_line_end(key);
  } else {
    relmap::logger("producer")->info("no actor key (--actor-key-file or RELMAP_ACTOR_KEY): actors are not stored");
  }
  return settings;
}

kafka::Config KafkaOptions::config() const {
  kafka::Config config;
  config.set("client.id", "relmap");
  if (!properties_file.empty()) config.load_file(properties_file);
  for (const auto& assignment : properties) config.set_assignment(assignment);
  if (!brokers.empty()) config.set("bootstrap.servers", brokers);
  return config;
}

void KafkaOptions::expect_publish_topics(std::string_view command) const {
  // An unreachable broker throws here, with the reason, after 10 s.
  if (const auto missing = producer::first_missing_topic(config(), topics, std::chrono::seconds{10})) {
    std::cerr << command << ": topic " << *missing << " does not exist (relmap topics create makes it); nothing was sent\n";
    throw CommandFailed{kExitNotStored};
  }
}

}  // namespace relmap::app
