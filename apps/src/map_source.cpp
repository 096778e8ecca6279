#include "map_source.hpp"

#include <cstdlib>

#include "relmap/common/logging.hpp"
#include "relmap/common/time.hpp"
#include "relmap/aggregation/apply_record.hpp"
#include "relmap/consumer/directory_topic.hpp"
#include "relmap/consumer/state_topics.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::app {

void MapSource::add_to(CLI::App& command) {
  auto* events = command.add_option("--events", input.path, "compute offline from this event file (.jsonl, .csv, .xes, .xes.gz)")
                     ->check(CLI::ExistingFile);
  kafka.add_to(command, false, false);
  events->excludes(command.get_option("--brokers"));
  input.add_to(command);
  time_bounds.add_to(command);
  command.add_option("--directory", directory_file,
                     "department directory CSV (id,name,unit,customer_facing); default with --brokers: the departments topic")
      ->check(CLI::ExistingFile);
}

graph::Directory MapSource::directory() const {
  if (!directory_file.empty()) return graph::read_directory_csv(directory_file);
  if (!input.path.empty()) return {};
  return consumer::read_directory(kafka.config(), kafka.departments_topic);
}

void MapSource::resolve() {
  if (input.path.empty() && kafka.brokers.empty()) {
    if (const char* brokers = std::getenv("RELMAP_KAFKA_BROKERS"); brokers != nullptr && *brokers != '\0') kafka.brokers = brokers;
  }
  if (input.path.empty() && kafka.brokers.empty()) throw CLI::RequiredError("--events FILE or --brokers B");
}

aggregation::AggregatesBuilder MapSource::load() const {
  if (input.path.empty()) return consumer::read_aggregates_snapshot(kafka.config(), kafka.stream_topics());
  const schemas::Decoder decoder{time_bounds.bounds()};
  aggregation::Aggregator aggregator;
  std::vector<aggregation::LateRejection> late_rejections;
  auto log = relmap::logger("map");
  schemas::Event event;  // refilled for each record
  input.for_each_record([&](std::string_view record, std::uint64_t line) {
    const auto outcome = aggregation::apply_record(aggregator, decoder, record, event, late_rejections);
    if (outcome.invalid) log->debug("{}:{}: {}", input.path, line, outcome.invalid->to_string());
  });
  for (const auto& rejection : late_rejections) log->debug("{}: {}", rejection.event.event_id, rejection.reason);
  return aggregation::snapshot_of({&aggregator});
}

std::optional<std::string> day_option(const std::string& day, const char* name) {
  if (day.empty()) return std::nullopt;
  if (!parse_rfc3339(day + "T00:00:00Z")) throw std::invalid_argument(std::string(name) + ": not a day (YYYY-MM-DD): " + day);
  return day;
}

void require_ordered(const graph::Window& window) {
  // Days as YYYY-MM-DD: their text order is their time order.
  if (window.from && window.to && *window.from > *window.to) {
    throw CLI::ValidationError("--from", "the window's first day " + *window.from + " is after its last, " + *window.to);
  }
}

}  // namespace relmap::app
