#include "relmap/producer/process_log.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
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
  // An ISO 8601 offset without its colon ("+0100", as Jira writes them) is RFC 3339's "+01:00".
  const auto digit = [&](std::size_t at) { return normalised[at] >= '0' && normalised[at] <= '9'; };
  const std::size_t sign = normalised.size() >= 5 ? normalised.size() - 5 : 0;
  if (sign > 10 && (normalised[sign] == '+' || normalised[sign] == '-') && digit(sign + 1) && digit(sign + 2) &&
      digit(sign + 3) && digit(sign + 4)) {
    normalised.insert(sign + 3, ":");
  }
  if (auto parsed = parse_rfc3339(normalised)) return parsed;
  return parse_rfc3339(normalised + "Z");
}

void load_csv_mapping(const std::string& path, ProcessLogSettings& settings) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read CSV mapping " + path);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  apply_csv_mapping(text, path, settings);
}

void apply_csv_mapping(std::string_view text, const std::string& origin, ProcessLogSettings& settings) {
  int number = 0;
  while (!text.empty()) {
    ++number;
    const auto end = text.find('\n');
    std::string line{text.substr(0, end)};
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    const auto equals = line.find('=');
    const std::string key = line.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : line.substr(equals + 1);
    const auto condition = value.find('=');
    if (key == "case") {
      settings.case_column = value;
    } else if (key == "time") {
      settings.time_column = value;
    } else if (key == "department") {
      settings.department_attribute = value;
    } else if (key == "previous_department") {
      settings.previous_department_column = value;
    } else if (key == "only_where" && condition != std::string::npos && condition > 0) {
      settings.only_where_column = value.substr(0, condition);
      settings.only_where_value = value.substr(condition + 1);
    } else if (key == "delimiter" && value.size() == 1) {
      settings.delimiter = value.front();
    } else {
      throw std::runtime_error(origin + ":" + std::to_string(number) +
                               ": expected case=, time=, department=, previous_department=, only_where=COLUMN=VALUE"
                               " or delimiter=<one character>, not \"" + line + "\"");
    }
  }
}

}  // namespace relmap::producer
