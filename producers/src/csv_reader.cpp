// CSV event logs (the export format of most process-mining tools), parsed with libcsv (RFC 4180).
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include <csv.h>
#include <zlib.h>

#include "relmap/producer/process_log.hpp"

namespace relmap::producer {
namespace {

/// Collects the rows of a CSV log, grouped by case in order of first appearance.
class CsvLogBuilder {
 public:
  explicit CsvLogBuilder(const ProcessLogSettings& settings) : settings_(settings) {}

  void field(const char* data, std::size_t size) { row_.emplace_back(data, size); }

  void end_row() {
    std::vector<std::string> row;
    row.swap(row_);
    ++row_number_;
    if (row_number_ == 1) {
      index_header(row);
      return;
    }
    if (row.size() == 1 && row.front().empty()) return;  // a blank line
    const auto value = [&](std::size_t column) -> const std::string* {
      return column < row.size() && !row[column].empty() ? &row[column] : nullptr;
    };
    const std::string* case_id = value(case_column_);
    if (case_id == nullptr) {
      ++rows_without_case_;
      return;
    }
    auto [found, inserted] = case_index_.try_emplace(*case_id, cases_.size());
    if (inserted) cases_.push_back({*case_id, {}});
    LoggedActivity activity;
    if (const std::string* time = value(time_column_)) activity.at = parse_log_timestamp(*time);
    if (const std::string* department = value(department_column_)) activity.department = *department;
    cases_[found->second].activities.push_back(std::move(activity));
  }

  ProcessLogCounts emit(const std::function<void(const schemas::Event&)>& on_handoff) {
    ProcessLogCounts counts;
    for (auto& logged_case : cases_) {
      ++counts.cases;
      for (const auto& activity : logged_case.activities) {
        ++counts.activities;
        if (!activity.at) ++counts.without_timestamp;
        if (!activity.department) ++counts.without_department;
      }
      for (const auto& handoff : handoffs_of_case(settings_.source, logged_case.id, std::move(logged_case.activities))) {
        ++counts.handoffs;
        on_handoff(handoff);
      }
    }
    return counts;
  }

 private:
  void index_header(const std::vector<std::string>& header) {
    const auto column = [&](const std::string& name, const char* role) {
      for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) return i;
      }
      throw std::runtime_error(std::string("CSV header has no ") + role + " column '" + name + "'");
    };
    case_column_ = column(settings_.case_column, "case");
    time_column_ = column(settings_.time_column, "time");
    department_column_ = column(settings_.department_attribute, "department");
  }

  struct LoggedCase {
    std::string id;
    std::vector<LoggedActivity> activities;
  };

  const ProcessLogSettings& settings_;
  std::vector<std::string> row_;
  std::uint64_t row_number_ = 0;
  std::uint64_t rows_without_case_ = 0;
  std::size_t case_column_ = 0;
  std::size_t time_column_ = 0;
  std::size_t department_column_ = 0;
  std::map<std::string, std::size_t> case_index_;
  std::vector<LoggedCase> cases_;
};

void on_field(void* data, std::size_t size, void* builder) {
  static_cast<CsvLogBuilder*>(builder)->field(static_cast<const char*>(data), data ? size : 0);
}
void on_row_end(int, void* builder) { static_cast<CsvLogBuilder*>(builder)->end_row(); }

}  // namespace

ProcessLogCounts read_csv_log(const std::string& path, const ProcessLogSettings& settings,
                              const std::function<void(const schemas::Event&)>& on_handoff) {
  std::unique_ptr<gzFile_s, decltype(&gzclose)> file{gzopen(path.c_str(), "rb"), &gzclose};
  if (!file) throw std::runtime_error("cannot read " + path);
  csv_parser parser{};
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::runtime_error("cannot start the CSV parser");
  std::unique_ptr<csv_parser, decltype(&csv_free)> owned{&parser, &csv_free};
  csv_set_delim(&parser, static_cast<unsigned char>(settings.delimiter));
  CsvLogBuilder builder(settings);
  std::vector<char> buffer(1 << 16);
  std::uint64_t offset = 0;
  while (true) {
    const int read = gzread(file.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (read < 0) {
      int code = 0;
      throw std::runtime_error(path + ": " + gzerror(file.get(), &code));
    }
    if (read == 0) break;
    const auto size = static_cast<std::size_t>(read);
    if (csv_parse(&parser, buffer.data(), size, on_field, on_row_end, &builder) != size) {
      throw std::runtime_error(path + ": malformed CSV near byte " + std::to_string(offset + size) + ": " +
                               csv_strerror(csv_error(&parser)));
    }
    offset += size;
  }
  if (csv_fini(&parser, on_field, on_row_end, &builder) != 0) {
    throw std::runtime_error(path + ": malformed CSV at the end: " + csv_strerror(csv_error(&parser)));
  }
  return builder.emit(on_handoff);
}

}  // namespace relmap::producer
