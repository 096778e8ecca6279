// relmap map: the relationship map of a window, from the aggregates topic or computed offline from
// an event file (--events) with the same aggregation code the streaming aggregator runs.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "map_output.hpp"
#include "map_source.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::app {
namespace {

struct MapOptions {
  MapSource source;
  std::string from_day;
  std::string to_day;
  std::string format = "json";
  graph::MapSettings settings;
};

void run_map(const MapOptions& options) {
  const graph::Window window{day_option(options.from_day, "--from"), day_option(options.to_day, "--to")};
  const auto aggregates = options.source.load().build(window);
  std::cout << render_map(graph::build_relationship_map(aggregates, options.settings, options.source.directory()),
                          options.format);
}

}  // namespace

void add_map_command(CLI::App& app) {
  auto options = std::make_shared<MapOptions>();
  auto* command = app.add_subcommand("map", "The relationship map of a time window (the contract's graph JSON)");
  options->source.add_to(*command);
  command->add_option("--from", options->from_day, "first day of the window (UTC, inclusive)");
  command->add_option("--to", options->to_day, "last day of the window (UTC, inclusive)");
  command->add_option("--format", options->format, "output format")->check(CLI::IsMember({"json", "dot", "svg", "graphml", "csv"}))->capture_default_str();
  command->add_option("--imbalance-threshold", options->settings.imbalance_threshold, "flag pairs with |imbalance| >= this")
      ->capture_default_str();
  command->add_option("--imbalance-minimum", options->settings.imbalance_minimum, "... and at least this many resolved requests")
      ->capture_default_str();
  command->callback([options] {
    options->source.require_one();
    run_map(*options);
  });
}

}  // namespace relmap::app
