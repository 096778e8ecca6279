// relmap generate: a synthetic organisation with planted patterns, as JSONL or straight into Kafka.
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "kafka_options.hpp"
#include "relmap/producer/synthetic_org.hpp"

namespace relmap::app {
namespace {

struct GenerateOptions {
  KafkaOptions kafka;
  producer::GeneratorSettings settings;
  std::string out_path;
  std::string start_day = "2026-01-05";
  int days = 90;
  std::string directory_path;
};

void run_generate(GenerateOptions& options) {
  const auto start = parse_rfc3339(options.start_day + "T00:00:00Z");
  if (!start) throw std::invalid_argument("--start: not a day (YYYY-MM-DD): " + options.start_day);
  options.settings.start = *start;
  options.settings.span = std::chrono::days{options.days};

  producer::GeneratedCounts counts;
  if (!options.kafka.brokers.empty()) {
    options.kafka.expect_publish_topics("relmap generate");
    producer::EventPublisher publisher(options.kafka.config(), options.kafka.topics, options.kafka.publish_settings());
    std::uint64_t line = 0;
    counts = producer::generate_organisation(options.settings, [&](std::string_view record) {
      (void)publisher.publish(record, {"generate", ++line});
      publisher.serve_deliveries(std::chrono::milliseconds{0});
    });
    if (!publisher.flush(std::chrono::minutes{5})) {
      std::cerr << "relmap generate: not every event was acknowledged by the broker\n";
      throw CommandFailed{kExitNotStored};
    }
  } else {
    std::ofstream file;
    if (!options.out_path.empty() && options.out_path != "-") {
      file.open(options.out_path, std::ios::binary | std::ios::trunc);
      if (!file) throw std::runtime_error("cannot write " + options.out_path);
    }
    std::ostream& out = file.is_open() ? file : std::cout;
    counts = producer::generate_organisation(options.settings, [&](std::string_view record) { out << record << '\n'; });
    out.flush();
    if (!out) throw std::runtime_error("writing the events failed");
  }
  if (!options.directory_path.empty()) {
    std::ofstream directory(options.directory_path, std::ios::binary | std::ios::trunc);
    directory << producer::organisation_directory_csv();
    if (!directory) throw std::runtime_error("cannot write " + options.directory_path);
  }
  std::cerr << "generated " << counts.cases << " case(s): " << counts.events << " event(s), " << counts.duplicates
            << " duplicate(s), " << counts.invalid << " invalid line(s)\n";
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto options = std::make_shared<GenerateOptions>();
  auto* command = app.add_subcommand("generate", "Generate a synthetic organisation's events with planted patterns");
  command->footer(
      "Planted patterns: a silo (Research, Patents, Lab), an island (Archive, Records), a 'not my role'\n"
      "hotspot (Legal), a give/get imbalance (IT gives to Sales) and a ping-pong pair (Billing, Returns).\n"
      "The same seed gives the same events.");
  command->add_option("--directory-out", options->directory_path,
                      "also write the organisation's department directory (CSV) here");
  command->add_option("--seed", options->settings.seed, "random seed")->capture_default_str();
  command->add_option("--cases", options->settings.cases, "number of cases (about 7 events each)")->capture_default_str();
  auto* out = command->add_option("--out,-o", options->out_path, "write JSONL here (default: stdout)");
  options->kafka.add_to(*command, false, false);
  out->excludes(command->get_option("--brokers"));
  command->add_option("--start", options->start_day, "first day of the period (UTC, YYYY-MM-DD)")->capture_default_str();
  command->add_option("--days", options->days, "length of the period in days")->check(CLI::PositiveNumber)->capture_default_str();
  command->add_option("--duplicates", options->settings.duplicate_rate, "share of events emitted twice")
      ->check(CLI::Range(0.0, 1.0));
  command->add_option("--out-of-order", options->settings.out_of_order_rate, "share of responses emitted before their request")
      ->check(CLI::Range(0.0, 1.0));
  command->add_option("--invalid", options->settings.invalid_rate, "share of events preceded by an invalid line")
      ->check(CLI::Range(0.0, 1.0));
  command->callback([options] { run_generate(*options); });
}

}  // namespace relmap::app
