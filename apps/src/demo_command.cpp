// relmap demo: the whole pipeline on the embedded default. librdkafka's mock cluster runs in-process; a
// generated organisation (or --events FILE) goes through the producer, the exactly-once aggregator and
// the aggregates topic into the relationship map, served with the web pages as `relmap serve` serves
// it while a trickle of new cases keeps it moving. With --out: the map and reports written, the
// headline findings printed, and the demo ends.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "commands.hpp"
#include "input_options.hpp"
#include "map_output.hpp"
#include "reports.hpp"
#include "serve_command.hpp"
#include "roles.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/consumer/directory_topic.hpp"
#include "relmap/consumer/stream_aggregator.hpp"
#include "relmap/graph/findings.hpp"
#include "relmap/graph/relationship_map.hpp"
#include "relmap/kafka/mock_cluster.hpp"
#include "relmap/producer/publisher.hpp"
#include "relmap/producer/synthetic_org.hpp"

namespace relmap::app {
namespace {

using namespace std::chrono_literals;

struct DemoOptions {
  InputOptions input;
  producer::GeneratorSettings generator{.seed = 1, .cases = 3000, .duplicate_rate = 0.01, .out_of_order_rate = 0.1,
                                        .invalid_rate = 0.002};
  std::string out_dir;
  std::string directory_file;
  int partitions = 3;
  std::string listen = "127.0.0.1:8080";
  double trickle_seconds = 3;  ///< a few new cases this often while serving; 0: none
};

std::string display(const graph::RelationshipMap& map, const std::string& id) {
  for (const auto& department : map.departments) {
    if (department.id == id) return graph::name_with_id(id, department.name);
  }
  return id;
}

std::string percent(std::optional<double> rate) {
  if (!rate) return "-";
  std::ostringstream text;
  text << std::fixed << std::setprecision(0) << *rate * 100 << "%";
  return text.str();
}

std::string names(const graph::RelationshipMap& map, const std::vector<std::string>& departments) {
  std::string joined;
  for (const auto& department : departments) joined += (joined.empty() ? "" : ", ") + display(map, department);
  return joined;
}

void print_findings(const graph::RelationshipMap& map, std::ostream& out) {
  const graph::Findings findings = graph::headline_findings(map);
  out << "\nThe map: " << map.departments.size() << " departments, " << map.edges.size() << " relationships, "
      << map.totals.events << " events (" << map.totals.duplicates << " duplicates counted once, " << map.totals.rejected
      << " rejected to the dead-letter topic), " << map.totals.cases << " cases, up to " << map.watermark.value_or("-")
      << "\n";

  out << "\nSilos (departments that work apart from the rest):\n";
  if (findings.silos.empty()) out << "  none\n";
  for (const auto index : findings.silos) {
    const auto& silo = map.silos[index];
    out << "  " << std::left << std::setw(10) << graph::to_string(silo.kind) << names(map, silo.departments);
    if (silo.kind == graph::SiloKind::community) out << "  (" << percent(silo.external_share) << " of their traffic goes outside)";
    if (silo.kind == graph::SiloKind::component) out << "  (no link at all to the rest)";
    out << "\n";
  }

  out << "\n\"Not my role\" hotspots (share of requests received that were declined; dead ends incl. expired):\n";
  if (findings.not_my_role_hotspots.empty()) out << "  none (no department received 10 requests)\n";
  for (const auto index : findings.not_my_role_hotspots) {
    const auto& hotspot = map.departments[index];
    out << "  " << std::left << std::setw(16) << display(map, hotspot.id) << std::right << std::setw(5)
        << percent(hotspot.not_my_role_rate) << " declined, " << percent(hotspot.dead_end_rate) << " dead ends, of "
        << hotspot.requests_received << " requests\n";
  }

  out << "\nGive/get imbalances (" << findings.flagged_imbalances << " flagged; the strongest):\n";
  if (findings.strongest_imbalances.empty()) out << "  none\n";
  for (const auto index : findings.strongest_imbalances) {
    const auto& pair = map.pairs[index];
    const bool a_gives = pair.gives >= pair.gets;
    out << "  " << display(map, a_gives ? pair.a : pair.b) << " gives to " << display(map, a_gives ? pair.b : pair.a) << ": "
        << std::max(pair.gives, pair.gets) << " resolved requests against " << std::min(pair.gives, pair.gets) << " back\n";
  }

  out << "\nPing-pong (cases handed straight back):\n";
  if (findings.ping_pong.empty()) out << "  none\n";
  for (const auto index : findings.ping_pong) {
    const auto& edge = map.edges[index];
    out << "  " << std::right << std::setw(6) << edge.stats.ping_pong << "  " << display(map, edge.from) << " -> " << display(map, edge.to) << "\n";
  }

  out << "\nBrokers (on the most shortest paths between others):\n";
  for (const auto index : findings.brokers) {
    const auto& broker = map.departments[index];
    out << "  " << std::left << std::setw(16) << display(map, broker.id) << std::right << std::fixed << std::setprecision(3)
        << broker.betweenness << (broker.articulation_point ? "  (its loss splits the map)" : "") << "\n";
  }

  if (map.units.empty()) return;
  out << "\nThe org chart against the real collaboration (formal units beside the communities):\n";
  for (const auto& split : findings.split_units) {
    out << "  unit " << map.units[split.unit].unit << " is split:";
    for (std::size_t i = 0; i < split.parts.size(); ++i) out << (i == 0 ? " " : " | ") << names(map, split.parts[i]);
    out << "\n";
  }
  for (const auto index : findings.communities_across_units) {
    const auto& community = map.communities[index];
    out << "  community " << names(map, community.departments) << " spans units ";
    for (const auto& unit : community.units) out << (unit == community.units.front() ? "" : ", ") << unit;
    out << "\n";
  }
  if (findings.split_units.empty() && findings.communities_across_units.empty()) {
    out << "  every unit works as one community, and no community crosses units\n";
  }
}

/// The directory CSV to use: --directory, else the generated organisation's (written into --out, or
/// a temporary file), else none.
std::string directory_file_of(const DemoOptions& options) {
  if (!options.directory_file.empty()) return options.directory_file;
  if (!options.input.path.empty()) return {};
  const auto path = options.out_dir.empty()
                        ? std::filesystem::temp_directory_path() / ("relmap-demo-directory-" + std::to_string(::getpid()) + ".csv")
                        : std::filesystem::path(options.out_dir) / "directory.csv";
  if (!options.out_dir.empty()) std::filesystem::create_directories(options.out_dir);
  std::ofstream(path) << producer::organisation_directory_csv();
  return path.string();
}

std::string trickle_note(double seconds) {
  std::ostringstream text;
  text << ", with new cases every " << seconds << " s";
  return text.str();
}

/// Publishes a few generated cases every interval until `stopping`, each batch a day after the last,
/// so that the served map's counts and period visibly move.
void trickle(const kafka::Config& config, const consumer::StreamTopics& topics, const DemoOptions& options,
             const Lifetime& lifetime) {
  producer::EventPublisher publisher(config, {topics.events, topics.dead_letter});
  producer::GeneratorSettings batch{.seed = options.generator.seed + 1000, .cases = 12};
  batch.start = options.generator.start + options.generator.span;
  batch.span = std::chrono::days{1};
  const auto interval = std::chrono::duration<double>(options.trickle_seconds);
  auto next = std::chrono::steady_clock::now() + interval;
  while (!lifetime.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(next - std::chrono::steady_clock::now()))) {
    std::uint64_t line = 0;
    producer::generate_organisation(batch, [&](std::string_view record) {
      (void)publisher.publish(record, {"trickle", ++line});
      publisher.serve_deliveries(0ms);
    });
    (void)publisher.flush(10s);
    ++batch.seed;
    batch.start += std::chrono::days{1};
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval);
  }
}

void run_demo(DemoOptions& options) {
  const bool serving = options.out_dir.empty();
  std::optional<StopSignals> stop_signals;
  // Before any thread starts (the mock cluster starts librdkafka's): threads inherit the blocked signals.
  if (serving) stop_signals.emplace();
  kafka::MockCluster cluster;
  consumer::StreamTopics topics;
  for (const auto& topic : {topics.events, topics.changelog, topics.aggregates}) cluster.create_topic(topic, options.partitions);
  cluster.create_topic(topics.dead_letter, 1);
  cluster.create_topic(topics.alerts, 1);
  const std::string departments_topic = kafka::topology::kDepartmentsTopic;
  cluster.create_topic(departments_topic, 1);
  std::cout << "Embedded Kafka (librdkafka mock cluster) at " << cluster.bootstraps() << "\n"
            << "  while the demo runs: kcat -b " << cluster.bootstraps() << " -t " << topics.events << " -C\n" << std::flush;

  kafka::Config config;
  config.set("bootstrap.servers", cluster.bootstraps()).set("client.id", "relmap-demo");
  {
    producer::EventPublisher publisher(config, {topics.events, topics.dead_letter});
    const auto publish = [&](std::string_view record, std::uint64_t line) {
      (void)publisher.publish(record, {options.input.path.empty() ? "generated" : options.input.path, line});
      publisher.serve_deliveries(0ms);
    };
    if (options.input.path.empty()) {
      std::uint64_t line = 0;
      const auto generated = producer::generate_organisation(options.generator, [&](std::string_view record) { publish(record, ++line); });
      std::cout << "Generated an organisation (seed " << options.generator.seed << "): " << generated.cases << " cases, "
                << generated.events << " events, " << generated.duplicates << " duplicates, " << generated.invalid
                << " invalid records.\n  Planted: a silo (Research, Patents, Lab), an island (Archive, Records), a "
                   "'not my role' hotspot (Legal),\n  an imbalance (IT gives to Sales), a ping-pong pair (Billing, Returns).\n";
    } else {
      options.input.for_each_record(publish);
    }
    if (!publisher.flush(2min)) throw std::runtime_error("demo: the embedded Kafka did not acknowledge every event");
    const auto counts = publisher.counts();
    std::cout << "Produced " << counts.sent << " events to " << topics.events << ", " << counts.rejected
              << " invalid records to " << topics.dead_letter << "\n" << std::flush;
  }

  // The directory goes through its topic too: what the map shows is what any instance would read.
  if (const auto directory_csv = directory_file_of(options); !directory_csv.empty()) {
    consumer::publish_directory(config, departments_topic, graph::read_directory_csv(directory_csv));
    if (options.directory_file.empty() && options.out_dir.empty()) std::filesystem::remove(directory_csv);  // temporary
  }

  kafka::Config aggregator_config = config;
  aggregator_config.set("session.timeout.ms", "6000").set("heartbeat.interval.ms", "500").set("fetch.wait.max.ms", "5");
  if (serving) {
    // A user's own log is theirs: nothing generated is mixed into it.
    const bool trickles = options.trickle_seconds > 0 && options.input.path.empty();
    ServeOptions serve_options;
    serve_options.source.kafka.brokers = cluster.bootstraps();
    serve_options.listen = options.listen;
    serve_options.insecure_no_auth = true;  // the demo's own data, on the address it was told
    serve_options.refresh_seconds = 1;
    std::vector<Role> roles{
        {"aggregate",
         [&](const Lifetime& lifetime) {
           consumer::StreamAggregator aggregator(aggregator_config, topics, {.group = "relmap-demo", .instance_id = "demo"});
           aggregator.run(lifetime.stop_flag());
         }},
        {"serve", [&](const Lifetime& lifetime) { run_serve(serve_options, lifetime, "relmap demo"); }}};
    if (trickles) roles.push_back({"trickle", [&](const Lifetime& lifetime) { trickle(config, topics, options, lifetime); }});
    std::cout << "Serving the map and the reports" << (trickles ? trickle_note(options.trickle_seconds) : "")
              << ". Ctrl-C stops.\n" << std::flush;
    run_roles(roles, *stop_signals, "relmap demo");
    return;
  }
  // The mock drops offsets sent to transactions: the aggregator stops where it has read, not committed.
  consumer::StreamAggregator aggregator(aggregator_config, topics,
                                        {.group = "relmap-demo", .instance_id = "demo", .stop_at_end = true, .end_by_position = true});
  const std::atomic<bool> never{false};
  aggregator.run(never);
  std::cout << "Aggregated exactly once: " << aggregator.counters().messages << " messages in "
            << aggregator.counters().transactions << " transactions\n" << std::flush;

  const auto directory = consumer::read_directory(config, departments_topic);
  if (!directory.entries.empty()) {
    std::cout << "Department directory: " << directory.entries.size() << " departments in " << departments_topic << "\n";
  }
  const auto snapshot = consumer::read_aggregates_snapshot(config, topics);
  const auto map = graph::build_relationship_map(snapshot.build({}), {}, directory);
  print_findings(map, std::cout);
  if (!options.out_dir.empty()) {
    const std::filesystem::path out(options.out_dir);
    std::filesystem::create_directories(out);
    std::cout << "\nWrote";
    for (const char* format : {"json", "graphml", "svg"}) {
      const auto path = out / (std::string("map.") + format);
      std::ofstream(path) << render_map(map, format);
      std::cout << " " << path.string();
    }
    // The reports cover the last four weeks of the data, compared with the four weeks before.
    const auto period = report_period(snapshot.watermark(), std::nullopt, std::nullopt, 28);
    const auto reports = write_all_reports(out / "reports", graph::build_relationship_map(snapshot.build(period.current), {}, directory),
                                           graph::build_relationship_map(snapshot.build(period.previous), {}, directory));
    std::cout << "\n      " << reports << " department reports (" << *period.current.from << " to " << *period.current.to
              << ") in " << (out / "reports").string() << "/\n";
  }
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  auto* command = app.add_subcommand("demo", "Run relmap end to end on the embedded Kafka (librdkafka's mock cluster)");
  command->add_option("--events", options->input.path, "events to use instead of a generated organisation (.jsonl, .csv, .xes, .xes.gz)")
      ->check(CLI::ExistingFile);
  options->input.add_to(*command);
  command->add_option("--cases", options->generator.cases, "cases of the generated organisation")->capture_default_str();
  command->add_option("--seed", options->generator.seed, "seed of the generated organisation")->capture_default_str();
  command->add_option("--out", options->out_dir,
                      "write the map (map.json, map.graphml, map.svg) and reports into this folder, print the findings and end");
  command->add_option("--listen", options->listen, "HOST:PORT to serve the map and reports on (port 0: any free port)")
      ->capture_default_str();
  command->add_option("--trickle-seconds", options->trickle_seconds, "publish a few new cases this often while serving (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--directory", options->directory_file,
                      "department directory CSV (id,name,unit,customer_facing); the generated organisation has its own")
      ->check(CLI::ExistingFile);
  command->add_option("--partitions", options->partitions, "partitions of the events topic")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->callback([options] { run_demo(*options); });
}

}  // namespace relmap::app
