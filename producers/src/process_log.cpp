#include "relmap/producer/process_log.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "relmap/producer/digest.hpp"

namespace relmap::producer {

std::vector<schemas::Event> handoffs_of_case(const std::string& source, const std::string& case_id,
                                             std::vector<LoggedActivity> activities) {
  std::erase_if(activities, [](const LoggedActivity& activity) { return !activity.at; });
  std::stable_sort(activities.begin(), activities.end(),
                   [](const LoggedActivity& a, const LoggedActivity& b) { return *a.at < *b.at; });
  std::vector<schemas::Event> handoffs;
  std::size_t moves = 0;
  const auto handoff = [&](std::string ordinal, Timestamp at, std::optional<std::string> from, const std::string& to) {
    schemas::Event event;
    // 128 bits of SHA-256: deterministic, and collisions are out of reach for any real log.
    event.event_id = "xes-" + sha256_hex({source, case_id, ordinal}).substr(0, 32);
    event.occurred_at = at;
    event.case_id = case_id;
    event.source = source;
    event.body = schemas::Handoff{std::move(from), to, std::nullopt};
    handoffs.push_back(std::move(event));
  };
  const std::string* owner = nullptr;
  for (const auto& activity : activities) {
    if (!activity.department) continue;
    if (owner == nullptr) {
      handoff("opened", *activity.at, std::nullopt, *activity.department);
    } else if (*owner != *activity.department) {
      handoff(std::to_string(moves++), *activity.at, *owner, *activity.department);
    }
    owner = &*activity.department;
  }
  return handoffs;
}

void emit_case(const std::string& source, const std::string& case_id, std::vector<LoggedActivity> activities,
               ProcessLogCounts& counts, const std::function<void(const schemas::Event&)>& on_handoff) {
  ++counts.cases;
  for (const auto& activity : activities) {
    ++counts.activities;
    if (!activity.at) ++counts.without_timestamp;
    if (!activity.department) ++counts.without_department;
  }
  for (const auto& handoff : handoffs_of_case(source, case_id, std::move(activities))) {
    if (std::get<schemas::Handoff>(handoff.body).from) ++counts.handoffs;
    on_handoff(handoff);
  }
}

std::optional<Timestamp> parse_log_timestamp(std::string_view text) {
  std::string normalised{text};
  if (normalised.size() > 10 && normalised[10] == ' ') normalised[10] = 'T';
  if (auto parsed = parse_rfc3339(normalised)) return parsed;
  return parse_rfc3339(normalised + "Z");
}

void load_csv_mapping(const std::string& path, ProcessLogSettings& settings) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read CSV mapping " + path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const auto equals = line.find('=');
    const std::string key = line.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : line.substr(equals + 1);
    if (key == "case") {
      settings.case_column = value;
    } else if (key == "time") {
      settings.time_column = value;
    } else if (key == "department") {
      settings.department_attribute = value;
    } else if (key == "delimiter" && value.size() == 1) {
      settings.delimiter = value.front();
    } else {
      throw std::runtime_error(path + ":" + std::to_string(number) +
                               ": expected case=, time=, department= or delimiter=<one character>");
    }
  }
}

}  // namespace relmap::producer
