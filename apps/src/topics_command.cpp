// relmap topics create|delete: the topics relmap needs, created or deleted idempotently.
#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <memory>

#include "commands.hpp"
#include "kafka_options.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::app {
namespace {

struct TopicsOptions {
  KafkaOptions kafka;
  int partitions = 6;
  int replication_factor = 0;   ///< 0: 3, or every broker of a smaller cluster
  int min_insync_replicas = 0;  ///< 0: 2 with 3 replicas or more, else 1
};

/// A production cluster's durability where there are brokers for it: 3 replicas, of which 2 must
/// have a write before it is acknowledged (acks=all), so one broker can go without losing or
/// refusing anything; on one broker, 1 and 1.
void settle_replication(TopicsOptions& options) {
  if (options.replication_factor == 0) {
    options.replication_factor = std::min(3, kafka::broker_count(options.kafka.config(), std::chrono::seconds{30}));
  }
  if (options.min_insync_replicas == 0) options.min_insync_replicas = options.replication_factor >= 3 ? 2 : 1;
  if (options.min_insync_replicas > options.replication_factor) {
    throw std::invalid_argument("--min-insync-replicas " + std::to_string(options.min_insync_replicas) + " is more than the " +
                                std::to_string(options.replication_factor) + " replicas");
  }
}

/// relmap's topics as named by the options.
std::vector<kafka::NewTopic> relmap_topics(const TopicsOptions& options) {
  // The changelog and aggregates topics mirror the events topic's partitions (partition p holds input
  // partition p's state) and keep the latest record per key.
  const std::pair<std::string, std::string> insync{"min.insync.replicas", std::to_string(options.min_insync_replicas)};
  const std::vector<std::pair<std::string, std::string>> kept = {insync};
  const std::vector<std::pair<std::string, std::string>> compacted = {{"cleanup.policy", "compact"}, insync};
  std::vector<kafka::NewTopic> topics = {
      {options.kafka.topics.events, options.partitions, options.replication_factor, kept},
      {options.kafka.topics.dead_letter, options.partitions, options.replication_factor, kept},
      {options.kafka.changelog_topic, options.partitions, options.replication_factor, compacted},
      {options.kafka.aggregates_topic, options.partitions, options.replication_factor, compacted},
      {options.kafka.alerts_topic, 1, options.replication_factor, kept},
      {options.kafka.alerts_dead_letter_topic, 1, options.replication_factor, kept},
      {options.kafka.departments_topic, 1, options.replication_factor, compacted},
  };
  if (!options.kafka.aggregates_json_topic.empty()) {
    topics.push_back({options.kafka.aggregates_json_topic, options.partitions, options.replication_factor, compacted});
  }
  return topics;
}

void create_relmap_topics(TopicsOptions& options) {
  settle_replication(options);
  const auto topics = relmap_topics(options);
  kafka::create_topics(options.kafka.config(), topics, std::chrono::seconds{30});
  for (const auto& topic : topics) {
    std::cout << topic.name << '\t' << topic.partitions << " partition(s), " << topic.replication_factor << " replica(s), "
              << options.min_insync_replicas << " in sync\n";
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
  create->add_option("--replication-factor", options->replication_factor,
                     "replicas of each partition (default: 3, or every broker of a smaller cluster)")
      ->check(CLI::PositiveNumber);
  create->add_option("--min-insync-replicas", options->min_insync_replicas,
                     "replicas that must have a write before it is acknowledged (default: 2 with 3 replicas, else 1)")
      ->check(CLI::PositiveNumber);
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
