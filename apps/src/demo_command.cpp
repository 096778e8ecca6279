// relmap demo: the whole path on the embedded default. librdkafka's mock cluster runs in-process;
// events are validated and produced to it, consumed back through a consumer group, and summarised.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "input_options.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/consumer/event_tally.hpp"
#include "relmap/graph/relationship_graph.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/kafka/mock_cluster.hpp"
#include "relmap/producer/publisher.hpp"

namespace relmap::app {
namespace {

using namespace std::chrono_literals;

struct DemoOptions {
  InputOptions input;
  int partitions = 3;
};

/// Consumes the events and dead-letter topics until `expected` messages were read.
consumer::EventTally consume_back(const std::string& bootstraps, const producer::Topics& topics,
                                  std::uint64_t expected) {
  kafka::Config config;
  // The mock cluster's rebalances wait about session.timeout.ms; a short fetch wait keeps it quick.
  config.set("bootstrap.servers", bootstraps).set("group.id", "relmap-demo").set("auto.offset.reset", "earliest")
      .set("enable.auto.commit", "true").set("session.timeout.ms", "6000").set("heartbeat.interval.ms", "500")
      .set("fetch.wait.max.ms", "5").set("client.id", "relmap-demo");
  kafka::Consumer consumer(config);
  consumer.subscribe({topics.events, topics.dead_letter});
  const schemas::Decoder decoder;
  consumer::EventTally tally;
  std::uint64_t read = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10min;
  while (read < expected && std::chrono::steady_clock::now() < deadline) {
    const auto message = consumer.poll(200ms);
    if (!message || message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (message->err) {
      relmap::logger("demo")->warn("consume: {}", rd_kafka_message_errstr(message.get()));
      continue;
    }
    ++read;
    if (rd_kafka_topic_name(message->rkt) == topics.dead_letter) {
      tally.add_rejected(kafka::header(*message, producer::kReasonCodeHeader).value_or("unknown"));
      continue;
    }
    const auto decoded = decoder.decode(kafka::payload(*message));
    if (decoded.has_value()) tally.add(decoded.value());
  }
  if (read < expected) throw std::runtime_error("demo: read back only " + std::to_string(read) + " of " +
                                                std::to_string(expected) + " messages");
  return tally;
}

void print_summary(const consumer::EventTally& tally, std::ostream& out) {
  out << "\nEvents: " << tally.events() << " distinct (" << tally.duplicates() << " duplicate(s) counted once), "
      << tally.rejected() << " rejected, " << tally.cases() << " case(s)\n";
  for (const auto& [type, count] : tally.by_type()) out << "  " << std::setw(9) << schemas::to_string(type) << "  " << count << '\n';
  if (!tally.rejected_by_reason().empty()) {
    out << "Rejected (in the dead-letter topic, with their reason):\n";
    for (const auto& [reason, count] : tally.rejected_by_reason()) out << "  " << reason << "  " << count << '\n';
  }
  graph::RelationshipGraph map;
  for (const auto& department : tally.departments()) map.department(department);
  for (const auto& [pair, count] : tally.interactions()) map.add_interactions(pair.first, pair.second, count);
  const auto groups = map.connected_groups();
  out << "Departments: " << map.department_count() << ", relationships: " << map.relationship_count()
      << ", connected groups: " << groups.size();
  if (!groups.empty()) out << " (largest holds " << groups.front().size() << ")";
  out << '\n';
  const auto strongest = map.strongest(10);
  if (!strongest.empty()) out << "Strongest relationships (requests and handoffs):\n";
  for (const auto& relationship : strongest) {
    out << "  " << std::setw(6) << relationship.interactions << "  " << relationship.from << " -> " << relationship.to << '\n';
  }
  if (!tally.declined().empty()) {
    out << "\"Not my role\" (declined requests):\n";
    for (const auto& [pair, count] : tally.declined()) out << "  " << std::setw(6) << count << "  " << pair.first << " declined " << pair.second << '\n';
  }
}

void run_demo(const DemoOptions& options) {
  auto log = relmap::logger("demo");
  kafka::MockCluster cluster;
  const producer::Topics topics;
  cluster.create_topic(topics.events, options.partitions);
  cluster.create_topic(topics.dead_letter, 1);
  std::cout << "Embedded Kafka (librdkafka mock cluster) at " << cluster.bootstraps() << "\n"
            << "  e.g. kcat -b " << cluster.bootstraps() << " -t " << topics.events << " -C\n" << std::flush;

  kafka::Config producer_config;
  producer_config.set("bootstrap.servers", cluster.bootstraps()).set("client.id", "relmap-demo");
  producer::EventPublisher publisher(producer_config, topics);
  options.input.for_each_record([&](std::string_view record, std::uint64_t line) {
    const auto result = publisher.publish(record, {options.input.path, line});
    if (!result.has_value()) log->warn("{}:{}: {}", options.input.path, line, result.error().to_string());
  });
  if (!publisher.flush(2min)) throw std::runtime_error("demo: the mock cluster did not acknowledge every event");
  const auto counts = publisher.counts();
  std::cout << "Produced " << counts.sent << " event(s) to " << topics.events << " and " << counts.rejected
            << " invalid record(s) to " << topics.dead_letter << "\n" << std::flush;

  const auto tally = consume_back(cluster.bootstraps(), topics, counts.sent + counts.rejected);
  print_summary(tally, std::cout);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  auto* command = app.add_subcommand("demo", "Run relmap end to end on the embedded Kafka (librdkafka's mock cluster)");
  command->add_option("--events", options->input.path, "event file (.jsonl, .xes, .xes.gz)")
      ->required()
      ->check(CLI::ExistingFile);
  options->input.add_to(*command);
  command->add_option("--partitions", options->partitions, "partitions of the events topic")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->callback([options] { run_demo(*options); });
}

}  // namespace relmap::app
