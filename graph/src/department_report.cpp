#include "relmap/graph/department_report.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "relmap/common/csv.hpp"
#include "relmap/common/html.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/time.hpp"
#include "relmap/graph/relationship_graph.hpp"

namespace relmap::graph {
namespace {

using Kind = Figure::Kind;

/// Lookups into one map.
class MapIndex {
 public:
  explicit MapIndex(const RelationshipMap& map) : map_(map), graph_(map) {
    for (const auto& topic : map.topics) {
      topics_[{topic.from, topic.to, topic.topic}] = &topic;
      incident_topics_[topic.from].push_back(&topic);
      incident_topics_[topic.to].push_back(&topic);
    }
  }
  const RelationshipMap& map() const { return map_; }
  const DepartmentStats* department(const std::string& id) const {
    const auto vertex = graph_.vertex(id);
    return vertex ? &graph_.department(*vertex) : nullptr;
  }
  std::string name_of(const std::string& id) const {
    const auto* found = department(id);
    return found == nullptr ? id : found->name;
  }
  const Edge* edge(const std::string& from, const std::string& to) const { return graph_.edge(from, to); }
  const TopicRow* topic(const TopicKey& key) const { return find(topics_, key); }
  /// A statistic of the edge, 0 when there is no such edge.
  double edge_count(const std::string& from, const std::string& to, std::uint64_t EdgeStats::*member) const {
    const Edge* found = edge(from, to);
    return found == nullptr ? 0.0 : static_cast<double>(found->stats.*member);
  }
  double dead_ends(const std::string& from, const std::string& to) const {
    const Edge* found = edge(from, to);
    return found == nullptr ? 0.0 : static_cast<double>(found->stats.dead_ends());
  }
  std::optional<double> edge_percentile(const std::string& from, const std::string& to, bool p90) const {
    const Edge* found = edge(from, to);
    if (found == nullptr) return std::nullopt;
    return p90 ? found->response_time_p90_s : found->response_time_p50_s;
  }
  /// The edges from or to a department: a report reads these, not the whole map.
  std::vector<const Edge*> edges_of(const std::string& id) const { return graph_.edges_of(id); }
  /// The request topics it asked or was asked about.
  const std::vector<const TopicRow*>& topics_of(const std::string& id) const { return of(incident_topics_, id); }

 private:
  template <typename Map>
  static typename Map::mapped_type find(const Map& index, const typename Map::key_type& key) {
    const auto found = index.find(key);
    return found == index.end() ? nullptr : found->second;
  }
  template <typename T>
  static const std::vector<const T*>& of(const std::unordered_map<std::string, std::vector<const T*>>& index,
                                         const std::string& id) {
    static const std::vector<const T*> none;
    const auto found = index.find(id);
    return found == index.end() ? none : found->second;
  }
  const RelationshipMap& map_;
  RelationshipGraph graph_;  ///< the departments and relationships
  std::map<TopicKey, const TopicRow*> topics_;
  std::unordered_map<std::string, std::vector<const TopicRow*>> incident_topics_;
};

std::optional<double> count(std::uint64_t value) { return static_cast<double>(value); }

/// A figure of the department, computed the same way from both maps.
using DepartmentValue = std::function<std::optional<double>(const MapIndex&, const std::string& department)>;
/// A figure of the department's relationship with one partner.
using PartnerValue = std::function<std::optional<double>(const MapIndex&, const std::string& department, const std::string& partner)>;

struct Column {
  std::string name;
  Kind kind;
  PartnerValue value;
};

/// A section with a row per partner that has a non-zero figure in either period, by the first column.
ReportSection partner_section(std::string id, std::string title, const std::vector<Column>& columns,
                              const MapIndex& current, const MapIndex& previous, const std::string& department,
                              const std::set<std::string>& partners) {
  ReportSection section{std::move(id), std::move(title), "Department", {}, {}};
  for (const auto& column : columns) section.columns.push_back(column.name);
  for (const auto& partner : partners) {
    ReportRow row{current.name_of(partner), partner, {}};
    bool any = false;
    for (const auto& column : columns) {
      Figure figure{column.kind, column.value(current, department, partner), column.value(previous, department, partner)};
      any = any || figure.current.value_or(0) != 0 || figure.previous.value_or(0) != 0;
      row.figures.push_back(figure);
    }
    if (any) section.rows.push_back(std::move(row));
  }
  std::stable_sort(section.rows.begin(), section.rows.end(), [](const auto& a, const auto& b) {
    return a.figures.front().current.value_or(0) > b.figures.front().current.value_or(0);
  });
  return section;
}

/// The partners of `department` in a map: every department it shares an edge with.
void add_partners(const MapIndex& index, const std::string& department, std::set<std::string>& partners) {
  for (const auto* edge : index.edges_of(department)) partners.insert(edge->from == department ? edge->to : edge->from);
}

std::optional<double> response_time_answering(const MapIndex& index, const std::string& department, double q) {
  std::vector<double> times;
  for (const auto* edge : index.edges_of(department)) {
    if (edge->to == department) times.insert(times.end(), edge->stats.response_times_s.begin(), edge->stats.response_times_s.end());
  }
  return nearest_rank(std::move(times), q);
}

ReportSection summary_section(const MapIndex& current, const MapIndex& previous, const std::string& department) {
  const auto stat = [](std::uint64_t DepartmentStats::*member) -> DepartmentValue {
    return [member](const MapIndex& index, const std::string& id) -> std::optional<double> {
      const auto* found = index.department(id);
      return count(found == nullptr ? 0 : found->*member);
    };
  };
  const auto rate = [](std::optional<double> DepartmentStats::*member) -> DepartmentValue {
    return [member](const MapIndex& index, const std::string& id) -> std::optional<double> {
      const auto* found = index.department(id);
      return found == nullptr ? std::nullopt : found->*member;
    };
  };
  const std::vector<std::tuple<std::string, Kind, DepartmentValue>> rows = {
      {"Requests received", Kind::count, stat(&DepartmentStats::requests_received)},
      {"Requests made", Kind::count, stat(&DepartmentStats::requests_made)},
      {"Gives (requests received and resolved)", Kind::count, stat(&DepartmentStats::gives)},
      {"Gets (requests made and resolved)", Kind::count, stat(&DepartmentStats::gets)},
      {"Give ratio", Kind::rate, rate(&DepartmentStats::give_ratio)},
      {"\"Not my role\" rate", Kind::rate, rate(&DepartmentStats::not_my_role_rate)},
      {"Dead-end rate", Kind::rate, rate(&DepartmentStats::dead_end_rate)},
      {"Response time when answering, median", Kind::seconds,
       [](const MapIndex& index, const std::string& id) { return response_time_answering(index, id, 0.5); }},
      {"Response time when answering, 90th percentile", Kind::seconds,
       [](const MapIndex& index, const std::string& id) { return response_time_answering(index, id, 0.9); }},
      {"Handoffs in", Kind::count, stat(&DepartmentStats::handoffs_in)},
      {"Handoffs out", Kind::count, stat(&DepartmentStats::handoffs_out)},
      {"\"Did we solve your problem?\" yes", Kind::rate,
       [](const MapIndex& index, const std::string& id) -> std::optional<double> {
         const auto* found = index.department(id);
         return found == nullptr ? std::nullopt : ratio(found->solved, found->solved + found->unsolved);
       }},
      {"Feedback answers", Kind::count,
       [](const MapIndex& index, const std::string& id) -> std::optional<double> {
         const auto* found = index.department(id);
         return count(found == nullptr ? 0 : found->solved + found->unsolved);
       }},
      {"Andon cords pulled about it", Kind::count, stat(&DepartmentStats::andon)},
      {"Andon cords it pulled", Kind::count,
       [](const MapIndex& index, const std::string& id) -> std::optional<double> {
         std::uint64_t pulled = 0;
         for (const auto* edge : index.edges_of(id)) pulled += edge->from == id ? edge->stats.andon : 0;
         return count(pulled);
       }},
      {"Cases that ended in a dead end with it", Kind::count,
       [](const MapIndex& index, const std::string& id) -> std::optional<double> {
         for (const auto& [at, dead_ends] : index.map().chains.dead_ends_by_department) {
           if (at == id) return count(dead_ends);
         }
         return count(0);
       }},
  };
  ReportSection section{"summary", "Summary", "Statistic", {"Value"}, {}};
  for (const auto& [label, kind, value] : rows) {
    section.rows.push_back({label, "", {Figure{kind, value(current, department), value(previous, department)}}});
  }
  return section;
}

ReportSection topics_section(const MapIndex& current, const MapIndex& previous, const std::string& department) {
  std::set<TopicKey> keys;
  for (const auto* index : {&current, &previous}) {
    for (const auto* topic : index->topics_of(department)) keys.insert({topic->from, topic->to, topic->topic});
  }
  ReportSection section{"topics", "Recurring topics", "Topic (asking -> asked)", {"Requests", "Dead ends"}, {}};
  for (const auto& key : keys) {
    const auto figure = [&key](const MapIndex& index, std::uint64_t TopicRow::*member) -> std::optional<double> {
      const auto* found = index.topic(key);
      return count(found == nullptr ? 0 : found->*member);
    };
    section.rows.push_back({std::get<2>(key) + " (" + current.name_of(std::get<0>(key)) + " -> " +
                                current.name_of(std::get<1>(key)) + ")",
                            std::get<2>(key),
                            {Figure{Kind::count, figure(current, &TopicRow::requests), figure(previous, &TopicRow::requests)},
                             Figure{Kind::count, figure(current, &TopicRow::dead_ends), figure(previous, &TopicRow::dead_ends)}}});
  }
  std::stable_sort(section.rows.begin(), section.rows.end(), [](const auto& a, const auto& b) {
    return std::pair(a.figures[0].current.value_or(0), a.figures[1].current.value_or(0)) >
           std::pair(b.figures[0].current.value_or(0), b.figures[1].current.value_or(0));
  });
  return section;
}

bool holds_requests(const RelationshipMap& map) {
  return std::any_of(map.departments.begin(), map.departments.end(),
                     [](const DepartmentStats& department) { return department.requests_made > 0; });
}

/// A reader facing a column of zeros cannot tell "none were made" from "none were recorded".
std::vector<std::string> data_notes(const RelationshipMap& current, const RelationshipMap& previous) {
  std::vector<std::string> notes;
  if (!holds_requests(current) && !holds_requests(previous)) {
    notes.emplace_back("No department made a request in either period: the data records handoffs only (as a process "
                       "log does), so the figures about requests, gives and gets, dead ends and response times are empty.");
  }
  return notes;
}

}  // namespace

Window report_window(const std::optional<Timestamp>& watermark, std::optional<std::string> from,
                     std::optional<std::string> to, int days) {
  if (!to) {
    if (!watermark) throw std::invalid_argument("no events yet: nothing to report");
    to = format_day(*watermark);
  }
  if (!from) {
    const auto last = parse_rfc3339(*to + "T00:00:00Z");
    if (!last) throw std::invalid_argument("--to: not a day: " + *to);
    from = format_day(*last - std::chrono::days(days - 1));
  }
  return {from, to};
}

Window previous_window(const Window& window) {
  if (!window.from || !window.to) throw std::invalid_argument("the previous period needs a window with both ends");
  const auto from = parse_rfc3339(*window.from + "T00:00:00Z");
  const auto to = parse_rfc3339(*window.to + "T00:00:00Z");
  if (!from || !to || *to < *from) throw std::invalid_argument("not a window: " + *window.from + " to " + *window.to);
  const auto length = *to - *from + std::chrono::days(1);
  return {format_day(*from - length), format_day(*from - std::chrono::days(1))};
}

struct DepartmentReporter::Indexes {
  MapIndex current;
  MapIndex previous;
  std::vector<std::string> notes;  ///< the same for every department's report
};

DepartmentReporter::DepartmentReporter(const RelationshipMap& current, const RelationshipMap& previous)
    : indexes_(std::make_unique<const Indexes>(Indexes{MapIndex(current), MapIndex(previous), data_notes(current, previous)})) {}

DepartmentReporter::~DepartmentReporter() = default;

DepartmentReport make_department_report(const RelationshipMap& current, const RelationshipMap& previous,
                                        const std::string& department) {
  return DepartmentReporter(current, previous).report(department);
}

DepartmentReport DepartmentReporter::report(const std::string& department) const {
  const MapIndex& current = indexes_->current;
  const MapIndex& previous = indexes_->previous;
  const RelationshipMap& current_map = current.map();
  const RelationshipMap& previous_map = previous.map();
  if (current.department(department) == nullptr && previous.department(department) == nullptr) {
    std::string known;
    for (std::size_t i = 0; i < current_map.departments.size() && i < 12; ++i) {
      known += (i == 0 ? "" : ", ") + current_map.departments[i].id;
    }
    throw std::invalid_argument("no department \"" + department + "\" in the map (departments: " + known +
                                (current_map.departments.size() > 12 ? ", ...)" : ")"));
  }
  std::set<std::string> partners;
  add_partners(current, department, partners);
  add_partners(previous, department, partners);

  const auto edge_count = [](std::uint64_t EdgeStats::*member, bool outgoing) -> PartnerValue {
    return [member, outgoing](const MapIndex& index, const std::string& self, const std::string& partner) -> std::optional<double> {
      return outgoing ? index.edge_count(self, partner, member) : index.edge_count(partner, self, member);
    };
  };
  const auto dead_ends = [](bool outgoing) -> PartnerValue {
    return [outgoing](const MapIndex& index, const std::string& self, const std::string& partner) -> std::optional<double> {
      return outgoing ? index.dead_ends(self, partner) : index.dead_ends(partner, self);
    };
  };
  const auto percentile = [](bool self_answers, bool p90) -> PartnerValue {
    return [self_answers, p90](const MapIndex& index, const std::string& self, const std::string& partner) {
      return self_answers ? index.edge_percentile(partner, self, p90) : index.edge_percentile(self, partner, p90);
    };
  };
  const PartnerValue imbalance = [](const MapIndex& index, const std::string& self, const std::string& partner) -> std::optional<double> {
    const double gives = index.edge_count(partner, self, &EdgeStats::resolved);
    const double gets = index.edge_count(self, partner, &EdgeStats::resolved);
    if (gives + gets == 0) return std::nullopt;
    return (gives - gets) / (gives + gets);
  };

  DepartmentReport report{department, current.name_of(department), current_map.window, previous_map.window,
                          current_map.watermark, indexes_->notes, {}};
  report.sections.push_back(summary_section(current, previous, department));
  report.sections.push_back(partner_section(
      "give_get", "Who it gives to and gets from",
      {{"Gives to them", Kind::count, edge_count(&EdgeStats::resolved, false)},
       {"Gets from them", Kind::count, edge_count(&EdgeStats::resolved, true)},
       {"Imbalance", Kind::rate, imbalance},
       {"Requests from them", Kind::count, edge_count(&EdgeStats::requests, false)},
       {"Requests to them", Kind::count, edge_count(&EdgeStats::requests, true)}},
      current, previous, department, partners));
  report.sections.push_back(partner_section(
      "dead_ends_caused", "Dead ends it caused (their requests it declined or let expire)",
      {{"Dead ends", Kind::count, dead_ends(false)},
       {"Declined", Kind::count, edge_count(&EdgeStats::declined, false)},
       {"Expired", Kind::count, edge_count(&EdgeStats::expired, false)},
       {"Their requests", Kind::count, edge_count(&EdgeStats::requests, false)}},
      current, previous, department, partners));
  report.sections.push_back(partner_section(
      "dead_ends_suffered", "Dead ends it suffered (its requests they declined or let expire)",
      {{"Dead ends", Kind::count, dead_ends(true)},
       {"Declined", Kind::count, edge_count(&EdgeStats::declined, true)},
       {"Expired", Kind::count, edge_count(&EdgeStats::expired, true)},
       {"Its requests", Kind::count, edge_count(&EdgeStats::requests, true)}},
      current, previous, department, partners));
  report.sections.push_back(partner_section(
      "response_times", "Response times",
      {{"It answers them, median", Kind::seconds, percentile(true, false)},
       {"It answers them, p90", Kind::seconds, percentile(true, true)},
       {"They answer it, median", Kind::seconds, percentile(false, false)},
       {"They answer it, p90", Kind::seconds, percentile(false, true)}},
      current, previous, department, partners));
  report.sections.push_back(partner_section(
      "ping_pong", "Ping-pong partners (a case handed back straight away)",
      {{"Handed back to it", Kind::count, edge_count(&EdgeStats::ping_pong, false)},
       {"Handed back by it", Kind::count, edge_count(&EdgeStats::ping_pong, true)},
       {"Handoffs to them", Kind::count, edge_count(&EdgeStats::handoffs, true)},
       {"Handoffs from them", Kind::count, edge_count(&EdgeStats::handoffs, false)}},
      current, previous, department, partners));
  report.sections.push_back(topics_section(current, previous, department));
  report.sections.push_back(partner_section(
      "andon", "Andon cords",
      {{"Pulled by them about it", Kind::count, edge_count(&EdgeStats::andon, false)},
       {"Pulled by it about them", Kind::count, edge_count(&EdgeStats::andon, true)}},
      current, previous, department, partners));
  return report;
}

std::string to_json(const DepartmentReport& report) {
  JsonWriter json;
  json.start_object();
  json.field("department", report.department);
  json.field("name", report.name);
  json.field("watermark", report.watermark);
  for (const auto& [name, window] : {std::pair{"window", &report.window}, std::pair{"previous_window", &report.previous_window}}) {
    json.key(name);
    json.start_object();
    json.field("from", window->from);
    json.field("to", window->to);
    json.end_object();
  }
  json.values("notes", report.notes);
  json.objects("sections", report.sections, [&](const auto& section) {
    json.field("id", section.id);
    json.field("title", section.title);
    json.values("columns", section.columns);
    json.objects("rows", section.rows, [&](const auto& row) {
      json.field("label", row.label);
      if (!row.key.empty()) json.field("key", row.key);
      json.key("figures");
      json.start_array();
      for (std::size_t i = 0; i < row.figures.size(); ++i) {
        json.start_object();
        json.field("column", section.columns[i]);
        json.field("value", row.figures[i].current);
        json.field("previous", row.figures[i].previous);
        json.field("change", row.figures[i].change());
        json.end_object();
      }
      json.end_array();
    });
  });
  json.end_object();
  return json.str();
}

}  // namespace relmap::graph
