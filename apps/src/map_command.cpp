// relmap map: the relationship map of a window, from the aggregates topic or computed offline from
// an event file (--events) with the same aggregation code the streaming aggregator runs.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "map_output.hpp"
#include "map_source.hpp"
#include "relmap/graph/department_report.hpp"
#include "relmap/graph/period_comparison.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::app {
namespace {

struct MapOptions {
  MapSource source;
  std::string from_day;
  std::string to_day;
  std::string format = "json";
  bool compare = false;
  graph::MapSettings settings;
};

void run_map(const MapOptions& options) {
  const graph::Window window{day_option(options.from_day, "--from"), day_option(options.to_day, "--to")};
  require_ordered(window);
  const auto snapshot = options.source.load();
  const auto directory = options.source.directory();
  const auto map = graph::build_relationship_map(snapshot.build(window), options.settings, directory);
  if (!options.compare) {
    std::cout << render_map(map, options.format);
    return;
  }
  if (!window.from || !window.to) throw std::invalid_argument("--compare needs --from and --to");
  const auto previous = graph::build_relationship_map(snapshot.build(graph::previous_window(window)), options.settings, directory);
  std::cout << graph::to_json_compared(map, previous) << '\n';
}

}  // namespace

void add_map_command(CLI::App& app) {
  auto options = std::make_shared<MapOptions>();
  auto* command = app.add_subcommand("map", "The relationship map of a time window (the contract's graph JSON)");
  options->source.add_to(*command);
  command->add_option("--from", options->from_day, "first day of the window (UTC, inclusive)");
  command->add_option("--to", options->to_day, "last day of the window (UTC, inclusive)");
  command->add_option("--format", options->format, "output format")->check(CLI::IsMember({"json", "dot", "svg", "graphml", "csv"}))->capture_default_str();
  command->add_flag("--compare", options->compare,
                    "JSON: every statistic beside its value in the previous window of equal length (needs --from and --to)")
      ->excludes(command->get_option("--format"));
  command->add_option("--imbalance-threshold", options->settings.imbalance_threshold, "flag pairs with |imbalance| >= this")
      ->capture_default_str();
  command->add_option("--imbalance-minimum", options->settings.imbalance_minimum, "... and at least this many resolved requests")
      ->capture_default_str();
  command->callback([options] {
    options->source.resolve();
    run_map(*options);
  });
}

}  // namespace relmap::app
