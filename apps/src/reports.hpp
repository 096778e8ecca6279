#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "relmap/common/time.hpp"
#include "relmap/graph/department_report.hpp"
#include "relmap/render/report_pages.hpp"

namespace relmap::app {

/// graph::report_window, its order checked (CLI::ValidationError), and the window before it.
graph::ReportPeriod report_period(const std::optional<Timestamp>& watermark, std::optional<std::string> from,
                                  std::optional<std::string> to, int days);

/// Writes every department's report as HTML into `folder` (an index.html beside them); returns how many.
std::size_t write_all_reports(const std::filesystem::path& folder, const graph::RelationshipMap& current,
                              const graph::RelationshipMap& previous);

}  // namespace relmap::app
