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
  const std::string* owner = nullptr;
  for (const auto& activity : activities) {
    if (!activity.department) continue;
    if (owner != nullptr && *owner != *activity.department) {
      schemas::Event handoff;
      // 128 bits of SHA-256: deterministic, and collisions are out of reach for any real log.
      handoff.event_id = "xes-" + sha256_hex({source, case_id, std::to_string(handoffs.size())}).substr(0, 32);
      handoff.occurred_at = *activity.at;
      handoff.case_id = case_id;
      handoff.source = source;
      handoff.body = schemas::Handoff{*owner, *activity.department, std::nullopt};
      handoffs.push_back(std::move(handoff));
    }
    owner = &*activity.department;
  }
  return handoffs;
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
