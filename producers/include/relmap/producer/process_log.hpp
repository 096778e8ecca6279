#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "relmap/common/time.hpp"
#include "relmap/schemas/event.hpp"

namespace relmap::producer {

/// One event of a process-mining log (an XES event, a CSV row): when it happened and, if it carries
/// the chosen attribute, which department did it.
struct LoggedActivity {
  std::optional<Timestamp> at;
  std::optional<std::string> department;
};

/// Turns one case of a process-mining log into handoff events, as docs/contract.md
/// ("Importing process-mining event logs") defines: activities ordered by timestamp (stable: log order
/// breaks ties); the first activity that carries a department opens the case there (a handoff without
/// `from`, so that a trace with one department is a case too); whenever the department changes between
/// consecutive activities that carry one, one handoff from the previous to the new department at the
/// new activity's time. Activities without a timestamp cannot be placed and are left out (counted by
/// the caller).
///
/// The event_id is derived from (source, case, "opened" or the ordinal of the handoff in the case), so
/// importing the same log twice gives the same ids, which relmap counts once.
std::vector<schemas::Event> handoffs_of_case(const std::string& source, const std::string& case_id,
                                             std::vector<LoggedActivity> activities);

/// Where a process log's events come from and which attribute names the department.
struct ProcessLogSettings {
  std::string department_attribute = "org:group";  ///< XES attribute key, or CSV column
  std::string source = "xes";  ///< the events' `source` field and part of their ids
  std::string case_column = "case:concept:name";  ///< CSV: the column naming the case
  std::string time_column = "time:timestamp";     ///< CSV: the column holding the timestamp
  char delimiter = ',';                           ///< CSV: the field separator
  /// CSV change logs (one row per change of the department field): the column holding the department
  /// before the change. A row is then two activities at its time, the department it left and the one
  /// it went to, so that a case's first change also says where it started. Empty: a row is one activity.
  std::string previous_department_column{};
  /// CSV: only rows whose `only_where_column` holds `only_where_value` are read (a change log of every
  /// field of a record); the others are skipped and counted. Empty column: every row.
  std::string only_where_column{};
  std::string only_where_value{};
};

/// Reads "key=value" lines into `settings`: the CSV column mapping file. Keys: case, time, department,
/// previous_department, only_where (COLUMN=VALUE), delimiter (one character); '#' starts a comment.
/// Throws std::runtime_error for an unreadable file or an unknown key, naming `origin` and the line.
void load_csv_mapping(const std::string& path, ProcessLogSettings& settings);
void apply_csv_mapping(std::string_view text, const std::string& origin, ProcessLogSettings& settings);

/// A process log's timestamp: RFC 3339, also with a space for the "T", and without an offset, which
/// is then taken as UTC (as PM4Py and most exports write it).
std::optional<Timestamp> parse_log_timestamp(std::string_view text);

struct ProcessLogCounts {
  std::uint64_t cases = 0;
  std::uint64_t activities = 0;
  std::uint64_t without_timestamp = 0;   ///< left out: cannot be ordered
  std::uint64_t without_department = 0;  ///< carry no department attribute: no handoff from them
  std::uint64_t handoffs = 0;            ///< between departments (the cases' openings are not counted)
  std::uint64_t skipped_rows = 0;        ///< CSV rows left out by only_where (changes of other fields)
  /// The attributes the log's events carry (XES keys, CSV columns), sorted: to say which there are
  /// when the chosen department attribute is not among them.
  std::set<std::string> event_attributes;
};

/// Counts one case of a log into `counts` and calls `on_handoff` for each of its handoff events, in order.
void emit_case(const std::string& source, const std::string& case_id, std::vector<LoggedActivity> activities,
               ProcessLogCounts& counts, const std::function<void(const schemas::Event&)>& on_handoff);

/// Reads an XES event log (plain or gzip-compressed, detected from the content), one trace at a time,
/// and calls `on_handoff` for every handoff, in trace order. Throws std::runtime_error for a file that
/// cannot be read or is not well-formed XML (with the line).
/// Reads a CSV event log (RFC 4180; a header row names the columns; plain or gzip-compressed): the rows
/// sharing a case column are one case, in file order. Throws std::runtime_error for an unreadable file,
/// malformed CSV or a missing column.
ProcessLogCounts read_csv_log(const std::string& path, const ProcessLogSettings& settings,
                              const std::function<void(const schemas::Event&)>& on_handoff);

ProcessLogCounts read_xes(const std::string& path, const ProcessLogSettings& settings,
                          const std::function<void(const schemas::Event&)>& on_handoff);

/// Reads a Jira export with issue changelogs (JSON, plain or gzip-compressed): a search answer
/// (`{"issues": [...]}` from /rest/api/3/search?expand=changelog), an array of issues, or one issue
/// (/rest/api/3/issue/KEY?expand=changelog). Each issue is a case (its `key`); each change of the
/// field named by `settings.department_attribute` (an item's `field` or `fieldId`: "Team",
/// "assignee", "customfield_10001") is a move from its `fromString` to its `toString` at the
/// history's `created` time; changes of other fields are activities without a department. Throws
/// std::runtime_error for unreadable JSON, an issue without a key, or a changelog that holds fewer
/// histories than its `total` (Jira truncates expanded changelogs: those handoffs would be lost).
ProcessLogCounts read_jira_changelog(const std::string& path, const ProcessLogSettings& settings,
                                     const std::function<void(const schemas::Event&)>& on_handoff);

}  // namespace relmap::producer
