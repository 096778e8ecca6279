#include "reports.hpp"

#include <cctype>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "map_source.hpp"

namespace relmap::app {
namespace {

/// A file name for a department id (ids may hold any character but control characters): distinct ids
/// give distinct names.
std::string file_name_of(const std::string& id) {
  std::string name;
  for (const unsigned char c : id) {
    if (std::isalnum(c) || c == '-' || c == '.') {
      name += static_cast<char>(c);
    } else {
      // '_' and two hex digits: safe in a file name and in a URL without escaping.
      static const char* const kHex = "0123456789ABCDEF";
      name += '_';
      name += kHex[c >> 4];
      name += kHex[c & 0xF];
    }
  }
  return name + ".html";
}

}  // namespace

ReportPeriod report_period(const std::optional<Timestamp>& watermark, std::optional<std::string> from,
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
  graph::Window current{from, to};
  require_ordered(current);
  return {current, graph::previous_window(current)};
}

std::string render_report(const graph::DepartmentReport& report, const std::string& format) {
  if (format == "md") return render::to_markdown(report);
  if (format == "html") return render::to_html(report);
  if (format == "csv") return render::to_csv(report);
  if (format == "json") return graph::to_json(report) + "\n";
  throw std::invalid_argument("unknown report format " + format);
}

std::size_t write_all_reports(const std::filesystem::path& folder, const graph::RelationshipMap& current,
                              const graph::RelationshipMap& previous) {
  std::filesystem::create_directories(folder);
  const graph::DepartmentReporter reporter(current, previous);
  std::vector<std::string> report_files;
  for (const auto& department : current.departments) {
    report_files.push_back(file_name_of(department.id));
    std::ofstream(folder / report_files.back()) << render::to_html(reporter.report(department.id));
  }
  std::ofstream(folder / "index.html") << render::to_html_index(current, report_files);
  return current.departments.size();
}

}  // namespace relmap::app
