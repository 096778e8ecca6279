#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "relmap/common/time.hpp"
#include "relmap/graph/department_report.hpp"
#include "relmap/render/report_pages.hpp"

namespace relmap::app {

/// The window of a report and the previous window of equal length it is compared with.
struct ReportPeriod {
  graph::Window current;
  graph::Window previous;
};

/// The window from --from/--to; a missing end is filled in: `to` with the day of the watermark,
/// `from` with `days` days up to `to`. Throws std::invalid_argument without a watermark (no events).
ReportPeriod report_period(const std::optional<Timestamp>& watermark, std::optional<std::string> from,
                           std::optional<std::string> to, int days);

/// The report in `format`: md, html, csv or json.
std::string render_report(const graph::DepartmentReport& report, const std::string& format);

/// Writes every department's report as HTML into `folder` (an index.html beside them); returns how many.
std::size_t write_all_reports(const std::filesystem::path& folder, const graph::RelationshipMap& current,
                              const graph::RelationshipMap& previous);

}  // namespace relmap::app
