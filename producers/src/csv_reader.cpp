// CSV event logs (the export format of most process-mining tools), parsed with libcsv (RFC 4180).
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <vector>

#include "relmap/common/csv.hpp"
#include "relmap/producer/process_log.hpp"

namespace relmap::producer {
namespace {

/// Collects the rows of a CSV log, grouped by case in order of first appearance.
class CsvLogBuilder {
 public:
  CsvLogBuilder(std::string path, const ProcessLogSettings& settings) : path_(std::move(path)), settings_(settings) {}

  void add_row(const std::vector<std::string>& row) {
    ++row_number_;
    if (row_number_ == 1) {
      index_header(row);
      return;
    }
    if (row.size() == 1 && row.front().empty()) return;  // a blank line
    const auto value = [&](std::size_t column) -> const std::string* {
      return column < row.size() && !row[column].empty() ? &row[column] : nullptr;
    };
    const auto fail = [&](const std::string& why) {
      throw std::runtime_error(path_ + ": row " + std::to_string(row_number_) + ": " + why);
    };
    if (only_where_column_ && (*only_where_column_ >= row.size() || row[*only_where_column_] != settings_.only_where_value)) {
      ++skipped_rows_;
      return;
    }
    const std::string* case_id = value(case_column_);
    // Neither can be placed in a case's order: left out, they would change it without a word.
    if (case_id == nullptr) fail("the case column '" + settings_.case_column + "' is empty");
    LoggedActivity activity;
    if (const std::string* time = value(time_column_)) {
      activity.at = parse_log_timestamp(*time);
      if (!activity.at) fail(settings_.time_column + " \"" + *time + "\" is not a date-time");
    }
    auto [found, inserted] = case_index_.try_emplace(*case_id, cases_.size());
    if (inserted) cases_.push_back({*case_id, {}});
    auto& activities = cases_[found->second].activities;
    if (previous_department_column_) {
      if (const std::string* previous = value(*previous_department_column_)) activities.push_back({activity.at, *previous});
    }
    if (const std::string* department = value(department_column_)) activity.department = *department;
    activities.push_back(std::move(activity));
  }

  ProcessLogCounts emit(const std::function<void(const schemas::Event&)>& on_handoff) {
    ProcessLogCounts counts;
    counts.event_attributes = std::set<std::string>(header_.begin(), header_.end());
    counts.skipped_rows = skipped_rows_;
    for (auto& logged_case : cases_) {
      emit_case(settings_.source, logged_case.id, std::move(logged_case.activities), counts, on_handoff);
    }
    return counts;
  }

 private:
  void index_header(const std::vector<std::string>& header) {
    header_ = header;
    const auto column = [&](const std::string& name, const char* role) {
      for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) return i;
      }
      throw std::runtime_error(std::string("CSV header has no ") + role + " column '" + name + "'");
    };
    case_column_ = column(settings_.case_column, "case");
    time_column_ = column(settings_.time_column, "time");
    department_column_ = column(settings_.department_attribute, "department");
    if (!settings_.previous_department_column.empty()) {
      previous_department_column_ = column(settings_.previous_department_column, "previous department");
    }
    if (!settings_.only_where_column.empty()) only_where_column_ = column(settings_.only_where_column, "only_where");
  }

  struct LoggedCase {
    std::string id;
    std::vector<LoggedActivity> activities;
  };

  std::string path_;
  const ProcessLogSettings& settings_;
  std::vector<std::string> header_;
  std::uint64_t row_number_ = 0;
  std::size_t case_column_ = 0;
  std::size_t time_column_ = 0;
  std::size_t department_column_ = 0;
  std::optional<std::size_t> previous_department_column_;
  std::optional<std::size_t> only_where_column_;
  std::uint64_t skipped_rows_ = 0;
  std::map<std::string, std::size_t> case_index_;
  std::vector<LoggedCase> cases_;
};

}  // namespace

ProcessLogCounts read_csv_log(const std::string& path, const ProcessLogSettings& settings,
                              const std::function<void(const schemas::Event&)>& on_handoff) {
  CsvLogBuilder builder(path, settings);
  for_each_csv_row(path, settings.delimiter, [&](const std::vector<std::string>& row) { builder.add_row(row); });
  return builder.emit(on_handoff);
}

}  // namespace relmap::producer
