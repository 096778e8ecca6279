// relmap report: a department head's handoff report for a period, compared with the period before.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "map_source.hpp"
#include "reports.hpp"

namespace relmap::app {
namespace {

struct ReportOptions {
  MapSource source;
  std::string department;
  std::string from_day;
  std::string to_day;
  int days = 28;
  std::string format = "md";
  graph::MapSettings settings;
};

void run_report(const ReportOptions& options) {
  const auto snapshot = options.source.load();
  const auto period = report_period(snapshot.watermark(), day_option(options.from_day, "--from"),
                                    day_option(options.to_day, "--to"), options.days);
  const auto directory = options.source.directory();
  const auto current = graph::build_relationship_map(snapshot.build(period.current), options.settings, directory);
  const auto previous = graph::build_relationship_map(snapshot.build(period.previous), options.settings, directory);
  std::cout << render::render_report(graph::make_department_report(current, previous, options.department), options.format);
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  auto* command = app.add_subcommand("report", "A department's handoff report, compared with the previous period");
  command->add_option("--department", options->department, "department id")->required();
  options->source.add_to(*command);
  command->add_option("--from", options->from_day, "first day of the period (UTC, inclusive; default: --days up to --to)");
  command->add_option("--to", options->to_day, "last day of the period (UTC, inclusive; default: the day of the latest event)");
  command->add_option("--days", options->days, "length of the period when --from is not given")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--format", options->format, "output format")
      ->check(CLI::IsMember({"md", "html", "csv", "json"}))
      ->capture_default_str();
  command->callback([options] {
    options->source.resolve();
    run_report(*options);
  });
}

}  // namespace relmap::app
