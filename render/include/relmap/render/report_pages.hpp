#pragma once
// The department reports for people: Markdown, a printable HTML page (and the index of all of them),
// CSV. The report itself, and its JSON, are graph/department_report.hpp.

#include <string>
#include <string_view>
#include <vector>

#include "relmap/graph/department_report.hpp"

namespace relmap::render {

using graph::DepartmentReport;
using graph::RelationshipMap;

std::string to_markdown(const DepartmentReport& report);
/// A self-contained page (inline CSS, printable).
std::string to_html(const DepartmentReport& report);
/// The page that lists every department's report, styled as the reports are: each department with its
/// unit and the period's headline figures, linked to `report_files[i]` for `map.departments[i]`.
std::string to_html_index(const RelationshipMap& map, const std::vector<std::string>& report_files);
/// One line per figure: section, row, column, value, previous, change.
std::string to_csv(const DepartmentReport& report);

/// The report in `format`: md, html, csv or json. Throws std::invalid_argument for another format.
std::string render_report(const DepartmentReport& report, std::string_view format);

}  // namespace relmap::render
