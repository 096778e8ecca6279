#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "relmap/producer/process_log.hpp"

namespace relmap::producer {

enum class InputFormat { jsonl, csv, xes, jira };

/// The format named by `--input-format` (jsonl, csv, xes, jira), or, when that is empty, the one the
/// file name implies (.jsonl/.ndjson/.json, .csv, .csv.gz, .xes, .xes.gz). Throws
/// std::invalid_argument when neither says.
InputFormat resolve_input_format(const std::string& path, const std::string& format_name);

/// The export of one ticket system, read with one flag (`--preset NAME`): its format and its
/// column mapping, in the mapping file's lines, which a mapping file or flags given beside it override.
struct ImportPreset {
  std::string_view name;
  InputFormat format;
  std::string_view mapping;
  std::string_view export_described;  ///< which export of which system, for --help and errors
};
std::span<const ImportPreset> import_presets();
/// nullptr for an unknown name.
const ImportPreset* find_import_preset(std::string_view name);

/// One record of an input: the bytes of one event and where it came from.
using RecordHandler = std::function<void(std::string_view record, std::uint64_t line)>;

/// Calls `on_record` for every record of `path` ("-" for stdin). JSONL records are passed as they
/// are; CSV and XES logs become handoff events in canonical JSON (line = the handoff's ordinal). Returns the
/// process-log counts for CSV and XES (all zero for JSONL). Throws std::runtime_error when unreadable.
ProcessLogCounts for_each_input_record(const std::string& path, InputFormat format,
                                       const ProcessLogSettings& settings, const RecordHandler& on_record);

}  // namespace relmap::producer
