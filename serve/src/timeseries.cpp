#include "timeseries.hpp"

#include <algorithm>
#include <chrono>

#include "relmap/common/json_writer.hpp"

namespace relmap::serve {
namespace {

using std::chrono::days;
using Day = std::chrono::sys_days;

constexpr std::size_t kMostBuckets = 366;

Day day_of(const std::string& text) { return std::chrono::floor<days>(*parse_rfc3339(text + "T00:00:00Z")); }
std::string text_of(Day day) { return format_day(Timestamp(day)); }

/// One bucket's figure and the count it is taken over (requests, answers, feedback).
struct Point {
  std::optional<double> value;
  std::uint64_t count = 0;
};

Point department_point(const graph::RelationshipMap& map, const std::string& id, const std::string& metric) {
  const auto found = std::find_if(map.departments.begin(), map.departments.end(), [&](const auto& d) { return d.id == id; });
  if (found == map.departments.end()) return {};
  const auto& department = *found;
  if (metric == "requests") return {static_cast<double>(department.requests_received), department.requests_received};
  if (metric == "dead_end_rate") return {department.dead_end_rate, department.requests_received};
  if (metric == "not_my_role_rate") return {department.not_my_role_rate, department.requests_received};
  if (metric == "give_ratio") return {department.give_ratio, department.gives + department.gets};
  if (metric == "solved_share") {
    return {graph::ratio(department.solved, department.solved + department.unsolved), department.solved + department.unsolved};
  }
  std::vector<double> answered;  // response_time_p50: of the requests the department answered
  for (const auto& edge : map.edges) {
    if (edge.to == id) answered.insert(answered.end(), edge.stats.response_times_s.begin(), edge.stats.response_times_s.end());
  }
  const auto count = answered.size();
  return {graph::nearest_rank(std::move(answered), 0.5), count};
}

Point relationship_point(const graph::RelationshipMap& map, const std::string& from, const std::string& to,
                         const std::string& metric) {
  const auto found = std::find_if(map.edges.begin(), map.edges.end(), [&](const auto& e) { return e.from == from && e.to == to; });
  if (found == map.edges.end()) return {std::nullopt, 0};
  const auto& stats = found->stats;
  if (metric == "requests") return {static_cast<double>(stats.requests), stats.requests};
  if (metric == "dead_end_rate") return {graph::ratio(stats.dead_ends(), stats.requests), stats.requests};
  if (metric == "not_my_role_rate") return {graph::ratio(stats.declined, stats.requests), stats.requests};
  return {found->response_time_p50_s, stats.response_times_s.size()};  // response_time_p50
}

}  // namespace

std::string timeseries_json(const Snapshot& snapshot, const std::string& department, const Query& query) {
  const auto metric = query.choice("metric", {"requests", "dead_end_rate", "not_my_role_rate", "give_ratio",
                                              "response_time_p50", "solved_share"});
  const auto bucket = query.choice("bucket", {"day", "week"});
  const auto partner = query.text("partner");
  auto [from, to] = query.window();
  if (partner && (metric == "give_ratio" || metric == "solved_share")) {
    refuse(status::bad_request, "invalid_parameter", metric + " is a department's figure, not a relationship's: leave out partner");
  }
  const auto& map = snapshot.map();
  if (std::none_of(map.departments.begin(), map.departments.end(), [&](const auto& d) { return d.id == department; })) {
    refuse(status::not_found, "unknown_department", "no department \"" + department + "\"");
  }
  if (!to) {
    if (!snapshot.watermark()) refuse(status::not_found, "no_data", "no events yet");
    to = format_day(*snapshot.watermark());
  }
  const int step_days = bucket == "week" ? 7 : 1;
  Day last = day_of(*to);
  Day first = from ? day_of(*from) : last - days(step_days * (bucket == "week" ? 12 : 28) - 1);
  // Before whole weeks widen the window: a from after the latest event's day is refused in any bucket.
  if (first > last) refuse(status::bad_request, "invalid_parameter", "from (" + *from + ") comes after the latest event's day (" + *to + ")");
  if (bucket == "week") {
    last += days((7 - std::chrono::weekday(last).iso_encoding()) % 7);  // to the week's Sunday
    first -= days(std::chrono::weekday(first).iso_encoding() - 1);     // back to its Monday
  }
  require_calendar(text_of(first), text_of(last));  // whole weeks can reach past 9999-12-31
  const auto buckets = static_cast<std::size_t>((last - first).count() / step_days + 1);
  if (buckets > kMostBuckets) {
    refuse(status::bad_request, "invalid_parameter",
           "at most " + std::to_string(kMostBuckets) + " buckets; this asks for " + std::to_string(buckets));
  }

  // Every event a figure of the department counts belongs to a case that names it.
  aggregation::AggregatesBuilder theirs;
  theirs.add_partition({{}, snapshot.watermark()});  // requests expire as of the data's end, as in the map
  for (const auto& [key, facts] : snapshot.facts().cases()) {
    if (facts.departments.count(department) > 0) theirs.add_case(key, facts);
  }
  JsonWriter json;
  json.start_object();
  json.field("department", department);
  json.field("partner", partner);
  json.field("metric", metric);
  json.field("bucket", bucket);
  json.key("points");
  json.start_array();
  for (Day start = first; start <= last; start += days(step_days)) {
    const graph::Window window{text_of(start), text_of(start + days(step_days - 1))};
    const auto bucket_map = graph::relationship_statistics(theirs.build(window));
    const auto point = partner ? relationship_point(bucket_map, department, *partner, metric)
                               : department_point(bucket_map, department, metric);
    json.start_object();
    json.field("from", *window.from);
    json.field("to", *window.to);
    json.field("value", point.value);
    json.field("count", point.count);
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return json.str();
}

}  // namespace relmap::serve
