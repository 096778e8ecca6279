#pragma once
// Alerts for relationships whose dead-end rate crossed a threshold. A relationship's requests come
// from cases in every partition, so no aggregator instance sees its rate: one global pass reads the
// aggregates topic and the alerts already committed, and publishes the new ones in one transaction.
// A crash before the commit aborts them and the next pass decides again: each alert once.

#include <cstdint>
#include <string>
#include <vector>

#include "relmap/consumer/state_topics.hpp"
#include "relmap/graph/statistics.hpp"
#include "relmap/kafka/config.hpp"

namespace relmap::consumer {

struct DeadEndAlertSettings {
  graph::DeadEndAlertRule rule;
  std::string transactional_id = "relmap-dead-end-alerts";  ///< a second evaluator fences the first
};

/// The record key of a relationship's dead-end alert in the alerts topic.
std::string dead_end_alert_key(const std::string& from, const std::string& to);

/// One pass; returns how many new alerts it committed. Throws KafkaException when Kafka fails.
std::size_t publish_dead_end_alerts(const kafka::Config& config, const StreamTopics& topics,
                                    const DeadEndAlertSettings& settings);

/// Every alert committed to the alerts topic (andon pulls and dead-end alerts), as their JSON values.
/// Throws KafkaException when Kafka fails.
std::vector<std::string> read_alerts(const kafka::Config& config, const std::string& topic);

}  // namespace relmap::consumer
