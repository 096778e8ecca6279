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

graph::ReportPeriod report_period(const std::optional<Timestamp>& watermark, std::optional<std::string> from,
                                  std::optional<std::string> to, int days) {
  const auto window = graph::report_window(watermark, std::move(from), std::move(to), days);
  require_ordered(window);
  return {window, graph::previous_window(window)};
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
