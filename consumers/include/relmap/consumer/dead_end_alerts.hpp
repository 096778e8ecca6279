#pragma once
// Alerts for relationships whose dead-end rate crossed a threshold. A relationship's requests come
// from cases in every partition, so no aggregator instance sees its rate: one global pass reads the
// aggregates topic and the alerts already committed, and publishes the new ones in one transaction.
// A crash before the commit aborts them and the next pass decides again: each alert once.

#include <cstdint>
#include <string>

#include "relmap/consumer/state_topics.hpp"
#include "relmap/kafka/config.hpp"

namespace relmap::consumer {

struct DeadEndAlertSettings {
  double threshold = 0.5;                ///< dead ends / requests at least this ...
  std::uint64_t minimum_requests = 20;   ///< ... over at least this many requests
  std::string transactional_id = "relmap-dead-end-alerts";  ///< a second evaluator fences the first
};

/// The record key of a relationship's dead-end alert in the alerts topic.
std::string dead_end_alert_key(const std::string& from, const std::string& to);

/// One pass; returns how many new alerts it committed. Throws KafkaException when Kafka fails.
std::size_t publish_dead_end_alerts(const kafka::Config& config, const StreamTopics& topics,
                                    const DeadEndAlertSettings& settings);

}  // namespace relmap::consumer
