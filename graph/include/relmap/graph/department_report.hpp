#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "relmap/common/time.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::graph {

/// One statistic of a report, in the window and in the previous window of equal length.
struct Figure {
  enum class Kind { count, rate, seconds };
  Kind kind = Kind::count;
  std::optional<double> current;   ///< none where undefined (a rate with no denominator)
  std::optional<double> previous;
  /// current - previous, where both are defined.
  std::optional<double> change() const {
    if (!current || !previous) return std::nullopt;
    return *current - *previous;
  }
};

struct ReportRow {
  std::string label;  ///< for people: a statistic, a department's name, a topic
  std::string key;    ///< for programs: the department id or topic of the row; empty for a statistic
  std::vector<Figure> figures;  ///< one per column of its section
};

/// A table of the report: rows (a partner, a topic, or a statistic) by columns.
struct ReportSection {
  std::string id;     ///< stable, for JSON and CSV
  std::string title;  ///< for people
  std::string row_heading;
  std::vector<std::string> columns;
  std::vector<ReportRow> rows;
};

/// A department head's handoff report: who the department gives to and gets from, the dead ends it
/// caused and suffered, response times, ping-pong partners, recurring topics, andon pulls and the
/// "did we solve your problem?" rate, each beside its value in the previous period.
struct DepartmentReport {
  std::string department;
  std::string name;  ///< display name (directory), else the id
  Window window;
  Window previous_window;
  std::optional<std::string> watermark;
  /// What the data cannot show, said once (a log of handoffs only has no requests to count).
  std::vector<std::string> notes;
  std::vector<ReportSection> sections;
};

/// The window of equal length that ends the day before `window` starts (both ends must be set).
Window previous_window(const Window& window);

/// The window of a report and the previous window of equal length it is compared with.
struct ReportPeriod {
  Window current;
  Window previous;
};

/// The window from its optional ends, a missing one filled in: `to` with the day of the watermark,
/// `from` with `days` days up to `to`. Throws std::invalid_argument without a watermark (no events)
/// or for a `to` that is not a day; the caller checks that `from` does not come after `to`.
Window report_window(const std::optional<Timestamp>& watermark, std::optional<std::string> from,
                     std::optional<std::string> to, int days);

/// Reports of departments from the maps of a window (`current`) and of its previous window, which
/// it indexes once (a report reads only its own department's edges and topics). The maps must
/// outlive it.
class DepartmentReporter {
 public:
  DepartmentReporter(const RelationshipMap& current, const RelationshipMap& previous);
  ~DepartmentReporter();
  DepartmentReporter(const DepartmentReporter&) = delete;
  DepartmentReporter& operator=(const DepartmentReporter&) = delete;

  /// Throws std::invalid_argument when the department is in neither map.
  DepartmentReport report(const std::string& department) const;

 private:
  struct Indexes;
  std::unique_ptr<const Indexes> indexes_;
};

/// One report: DepartmentReporter(current, previous).report(department).
DepartmentReport make_department_report(const RelationshipMap& current, const RelationshipMap& previous,
                                        const std::string& department);

std::string to_json(const DepartmentReport& report);
}  // namespace relmap::graph
