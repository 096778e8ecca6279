#include "relmap/consumer/dead_end_alerts.hpp"

#include <chrono>
#include <set>

#include "read_topic.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::consumer {

using namespace std::chrono_literals;

std::string dead_end_alert_key(const std::string& from, const std::string& to) {
  JsonWriter json;
  json.start_array();
  json.value(from);
  json.value(to);
  json.end_array();
  return "dead_end:" + json.str();
}

std::size_t publish_dead_end_alerts(const kafka::Config& config, const StreamTopics& topics,
                                    const DeadEndAlertSettings& settings) {
  // The producer first: initialising its transactions fences an earlier evaluator and waits for its
  // open transaction to end, so the alerts read below are all there will be.
  kafka::Config producer_config = config;
  producer_config.set("transactional.id", settings.transactional_id);
  kafka::Producer producer(producer_config);
  kafka::throw_on_error(producer.init_transactions(60s), "initialising transactions");

  std::set<std::string> published;
  read_partitions(config, topics.alerts, all_partitions(config, topics.alerts), [&](const kafka::Message& message) {
    const auto key = message.key();
    if (key.rfind("dead_end:", 0) == 0) published.emplace(key);
  });

  // The rates need the case facts only, not the dead-letter topic's count.
  const auto aggregates = read_case_facts(config, topics).build({});
  std::size_t added = 0;
  kafka::throw_on_error(producer.begin_transaction(), "beginning a transaction");
  for (const auto& [relationship, stats] : aggregates.edges) {
    const auto& [from, to] = relationship;
    if (!settings.rule.alerts(stats)) continue;
    const double rate = static_cast<double>(stats.dead_ends()) / static_cast<double>(stats.requests);
    const auto key = dead_end_alert_key(from, to);
    if (published.count(key)) continue;
    JsonWriter json;
    json.start_object();
    json.field("kind", "dead_end_rate");
    json.field("from", from);
    json.field("to", to);
    json.field("requests", stats.requests);
    json.field("dead_ends", stats.dead_ends());
    json.field("dead_end_rate", rate);
    json.field("threshold", settings.rule.threshold);
    json.field("watermark", aggregates.watermark);
    json.end_object();
    if (const auto error = producer.produce(topics.alerts, key, json.str())) {
      throw kafka::KafkaException(error, "producing to " + topics.alerts);
    }
    ++added;
  }
  kafka::throw_on_error(producer.commit_transaction(60s), "committing the alerts");
  relmap::logger("alerts")->info("{} new dead-end alert(s), {} published before", added, published.size());
  return added;
}

std::vector<std::string> read_alerts(const kafka::Config& config, const std::string& topic) {
  std::vector<std::string> alerts;
  read_partitions(config, topic, all_partitions(config, topic), [&](const kafka::Message& message) {
    alerts.emplace_back(message.value());
  });
  return alerts;
}

}  // namespace relmap::consumer
