#include "relmap/producer/input.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "relmap/producer/publisher.hpp"

namespace relmap::producer {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// ServiceNow: the Sys Audit table (sys_audit.list, exported as CSV) holds one row per change of an
// audited field: `documentkey` is the record's sys_id, `oldvalue` and `newvalue` the assignment
// group's sys_id before and after, `sys_created_on` the time of the change.
constexpr std::string_view kServiceNowAudit =
    "case=documentkey\n"
    "time=sys_created_on\n"
    "department=newvalue\n"
    "previous_department=oldvalue\n"
    "only_where=fieldname=assignment_group\n";

// ServiceNow: the Metric Instance table (metric_instance.list, exported as CSV) of the base system's
// "Assignment Group" field-value-duration metric: one row per period a record spent with a group,
// `id` the record, `value` the group's name, `start` when the period began. Rows of other metrics
// (Assigned to Duration, Incident State Duration) in the same export are skipped.
constexpr std::string_view kServiceNowMetric =
    "case=id\n"
    "time=start\n"
    "department=value\n"
    "only_where=definition=Assignment Group\n";

// Jira: issues with their changelogs (/rest/api/3/search?expand=changelog); each change of the Team
// field moves the issue. `--dept-attr assignee` (or any field's name or id) follows another field.
constexpr std::string_view kJiraChangelog = "department=Team\n";

constexpr ImportPreset kPresets[] = {
    {"servicenow-audit", InputFormat::csv, kServiceNowAudit,
     "ServiceNow sys_audit CSV export (assignment_group changes)"},
    {"servicenow-metric", InputFormat::csv, kServiceNowMetric,
     "ServiceNow metric_instance CSV export of the Assignment Group metric"},
    {"jira", InputFormat::jira, kJiraChangelog, "Jira issues with changelogs (REST API JSON, expand=changelog)"},
};

}  // namespace

std::span<const ImportPreset> import_presets() { return kPresets; }

const ImportPreset* find_import_preset(std::string_view name) {
  for (const auto& preset : kPresets) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

InputFormat resolve_input_format(const std::string& path, const std::string& format_name) {
  if (format_name == "jsonl") return InputFormat::jsonl;
  if (format_name == "xes") return InputFormat::xes;
  if (format_name == "csv") return InputFormat::csv;
  if (format_name == "jira") return InputFormat::jira;
  if (!format_name.empty()) throw std::invalid_argument("unknown input format '" + format_name + "'");
  if (ends_with(path, ".jsonl") || ends_with(path, ".ndjson") || ends_with(path, ".json") || path == "-") {
    return InputFormat::jsonl;
  }
  if (ends_with(path, ".xes") || ends_with(path, ".xes.gz")) return InputFormat::xes;
  if (ends_with(path, ".csv") || ends_with(path, ".csv.gz")) return InputFormat::csv;
  throw std::invalid_argument("cannot tell the format of " + path + " from its name: give --input-format");
}

ProcessLogCounts for_each_input_record(const std::string& path, InputFormat format,
                                       const ProcessLogSettings& settings, const RecordHandler& on_record) {
  if (format != InputFormat::jsonl) {
    std::uint64_t ordinal = 0;
    const auto on_handoff = [&](const schemas::Event& handoff) { on_record(schemas::to_json(handoff), ++ordinal); };
    const std::string file = path == "-" ? "/dev/stdin" : path;
    if (format == InputFormat::jira) return read_jira_changelog(file, settings, on_handoff);
    return format == InputFormat::xes ? read_xes(file, settings, on_handoff) : read_csv_log(file, settings, on_handoff);
  }
  if (path == "-") {
    for_each_jsonl_record(std::cin, on_record);
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  for_each_jsonl_record_in_blocks(in, on_record);
  return {};
}

}  // namespace relmap::producer
