// relmap topics create|delete: the topics relmap needs, created or deleted idempotently.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "kafka_options.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::app {
namespace {

struct TopicsOptions {
  KafkaOptions kafka;
  int partitions = 6;
  int replication_factor = 1;
};

/// relmap's topics as named by the options.
std::vector<kafka::NewTopic> relmap_topics(const TopicsOptions& options) {
  // The changelog and aggregates topics mirror the events topic's partitions (partition p holds input
  // partition p's state) and keep the latest record per key.
  const std::vector<std::pair<std::string, std::string>> compacted = {{"cleanup.policy", "compact"}};
  return {
      {options.kafka.topics.events, options.partitions, options.replication_factor, {}},
      {options.kafka.topics.dead_letter, options.partitions, options.replication_factor, {}},
      {options.kafka.changelog_topic, options.partitions, options.replication_factor, compacted},
      {options.kafka.aggregates_topic, options.partitions, options.replication_factor, compacted},
      {options.kafka.alerts_topic, 1, options.replication_factor, {}},
      {options.kafka.departments_topic, 1, options.replication_factor, compacted},
  };
}

void create_relmap_topics(const TopicsOptions& options) {
  const auto topics = relmap_topics(options);
  kafka::create_topics(options.kafka.config(), topics, std::chrono::seconds{30});
  for (const auto& topic : topics) {
    std::cout << topic.name << '\t' << topic.partitions << " partition(s)\n";
  }
}

void delete_relmap_topics(const TopicsOptions& options) {
  std::vector<std::string> names;
  for (const auto& topic : relmap_topics(options)) names.push_back(topic.name);
  kafka::delete_topics(options.kafka.config(), names, std::chrono::seconds{30});
  for (const auto& name : names) std::cout << name << "\tdeleted\n";
}

}  // namespace

void add_topics_command(CLI::App& app) {
  auto options = std::make_shared<TopicsOptions>();
  auto* topics = app.add_subcommand("topics", "Manage the Kafka topics relmap uses");
  topics->require_subcommand(1);
  auto* create = topics->add_subcommand("create", "Create relmap's topics (existing ones are left as they are)");
  options->kafka.add_to(*create, true);
  create->add_option("--partitions", options->partitions, "partitions of the events topic")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  create->add_option("--replication-factor", options->replication_factor, "replicas of each partition")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  create->callback([options] { create_relmap_topics(*options); });
  // Options of its own: CLI11 reads the environment (RELMAP_KAFKA_BROKERS) for every subcommand, run
  // or not, so options shared with `create` would take the environment's value over the command line's.
  auto delete_options = std::make_shared<TopicsOptions>();
  auto* remove =
      topics->add_subcommand("delete", "Delete relmap's topics and every record in them (missing ones are skipped)");
  delete_options->kafka.add_to(*remove, true);
  remove->callback([delete_options] { delete_relmap_topics(*delete_options); });
}

}  // namespace relmap::app
