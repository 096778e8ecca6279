#include "kafka_options.hpp"

#include <cstdlib>

namespace relmap::app {

void KafkaOptions::add_to(CLI::App& command, bool brokers_required) {
  auto* brokers_option = command.add_option("--brokers,-b", brokers, "Kafka bootstrap servers (host:port,...)")
                             ->envname("RELMAP_KAFKA_BROKERS");
  if (brokers_required) brokers_option->required();
  command.add_option("--kafka-config,-F", properties_file, "librdkafka properties file (key=value lines)")
      ->check(CLI::ExistingFile);
  command.add_option("-X", properties, "librdkafka property key=value, passed through untouched (repeatable)");
  command.add_option("--topic,-t", topics.events, "events topic")->capture_default_str();
  command.add_option("--dlq-topic", topics.dead_letter, "dead-letter topic for invalid records")->capture_default_str();
}

kafka::Config KafkaOptions::config() const {
  kafka::Config config;
  config.set("client.id", "relmap");
  if (!properties_file.empty()) config.load_file(properties_file);
  for (const auto& assignment : properties) config.set_assignment(assignment);
  if (!brokers.empty()) config.set("bootstrap.servers", brokers);
  return config;
}

}  // namespace relmap::app
