#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "relmap/kafka/config.hpp"
#include "relmap/kafka/topology.hpp"
#include "relmap/consumer/state_topics.hpp"
#include "relmap/producer/publisher.hpp"

namespace relmap::app {

/// The Kafka options every broker-facing command shares.
struct KafkaOptions {
  std::string brokers;                  ///< --brokers, else RELMAP_KAFKA_BROKERS
  std::string properties_file;          ///< --kafka-config FILE (librdkafka properties, like kcat -F)
  std::vector<std::string> properties;  ///< -X key=value, passed to librdkafka untouched
  producer::Topics topics;
  std::string changelog_topic = kafka::topology::kChangelogTopic;
  std::string aggregates_topic = kafka::topology::kAggregatesTopic;
  std::string alerts_topic = kafka::topology::kAlertsTopic;
  std::string alerts_dead_letter_topic = kafka::topology::kAlertsDeadLetterTopic;
  std::string aggregates_json_topic;  ///< empty: the aggregates are not written in JSON
  std::string departments_topic = kafka::topology::kDepartmentsTopic;
  std::string actor_key_file;  ///< --actor-key-file, else RELMAP_ACTOR_KEY holds the key itself

  /// Adds --brokers, --kafka-config, -X, --topic and --dlq-topic to `command`. `brokers_from_environment`:
  /// whether RELMAP_KAFKA_BROKERS stands in for --brokers (not where brokers only switch an output on).
  void add_to(CLI::App& command, bool brokers_required, bool brokers_from_environment = true);
  /// Defaults, then the file, then -X, then --brokers. Throws on a bad file or assignment.
  kafka::Config config() const;
  /// The streaming aggregation's topics.
  consumer::StreamTopics stream_topics() const {
    return {topics.events, topics.dead_letter, changelog_topic, aggregates_topic, alerts_topic, aggregates_json_topic};
  }
  /// Ends the command (exit 3, "nothing was sent") unless the events and dead-letter topics exist
  /// (throws when the brokers cannot be reached):
  /// before anything is read, rather than librdkafka retrying for message.timeout.ms (5 minutes by
  /// default) and then failing every record. The dead-letter topic too, or an invalid record is lost.
  void expect_publish_topics(std::string_view command) const;
  /// How events are written (the actor key). Throws when the key file cannot be read.
  producer::PublishSettings publish_settings() const;
};

}  // namespace relmap::app
