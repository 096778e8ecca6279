// relmap map: the relationship map of a window, computed offline from an event file (--events) with
// the same aggregation code the streaming aggregator runs.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "input_options.hpp"
#include "kafka_options.hpp"
#include "map_output.hpp"
#include "relmap/consumer/stream_aggregator.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/consumer/aggregator.hpp"
#include "relmap/graph/relationship_map.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::app {
namespace {

struct MapOptions {
  InputOptions input;
  KafkaOptions kafka;
  std::string from_day;
  std::string to_day;
  std::string format = "json";
  graph::MapSettings settings;
};

std::optional<std::string> day_option(const std::string& day, const char* name) {
  if (day.empty()) return std::nullopt;
  if (!parse_rfc3339(day + "T00:00:00Z")) throw std::invalid_argument(std::string(name) + ": not a day (YYYY-MM-DD): " + day);
  return day;
}

graph::Aggregates aggregates_from_file(const MapOptions& options, const graph::Window& window) {
  const schemas::Decoder decoder;
  consumer::Aggregator aggregator;
  std::vector<consumer::LateRejection> late_rejections;
  auto log = relmap::logger("map");
  options.input.for_each_record([&](std::string_view record, std::uint64_t line) {
    const auto decoded = decoder.decode(record);
    if (!decoded.has_value()) {
      aggregator.count_rejected();
      log->debug("{}:{}: {}", options.input.path, line, decoded.error().to_string());
      return;
    }
    aggregator.apply(decoded.value(), late_rejections);
  });
  for (const auto& rejection : late_rejections) log->debug("{}: {}", rejection.event.event_id, rejection.reason);
  return consumer::collect_aggregates({&aggregator}, window);
}

void run_map(const MapOptions& options) {
  const graph::Window window{day_option(options.from_day, "--from"), day_option(options.to_day, "--to")};
  const auto aggregates = options.input.path.empty()
                              ? consumer::read_aggregates(options.kafka.config(), options.kafka.stream_topics(), window)
                              : aggregates_from_file(options, window);
  std::cout << render_map(graph::build_relationship_map(aggregates, options.settings), options.format);
}

}  // namespace

void add_map_command(CLI::App& app) {
  auto options = std::make_shared<MapOptions>();
  auto* command = app.add_subcommand("map", "The relationship map of a time window (the contract's graph JSON)");
  auto* events = command->add_option("--events", options->input.path,
                                     "compute offline from this event file (.jsonl, .csv, .xes, .xes.gz)")
                       ->check(CLI::ExistingFile);
  options->kafka.add_to(*command, false, false);
  events->excludes(command->get_option("--brokers"));
  options->input.add_to(*command);
  command->add_option("--from", options->from_day, "first day of the window (UTC, inclusive)");
  command->add_option("--to", options->to_day, "last day of the window (UTC, inclusive)");
  command->add_option("--format", options->format, "output format")->check(CLI::IsMember({"json", "dot", "svg", "graphml", "csv"}))->capture_default_str();
  command->add_option("--imbalance-threshold", options->settings.imbalance_threshold, "flag pairs with |imbalance| >= this")
      ->capture_default_str();
  command->add_option("--imbalance-minimum", options->settings.imbalance_minimum, "... and at least this many resolved requests")
      ->capture_default_str();
  command->callback([options] {
    if (options->input.path.empty() && options->kafka.brokers.empty()) {
      throw CLI::RequiredError("--events FILE or --brokers B");
    }
    run_map(*options);
  });
}

}  // namespace relmap::app
