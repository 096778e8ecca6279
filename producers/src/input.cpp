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

}  // namespace

InputFormat resolve_input_format(const std::string& path, const std::string& format_name) {
  if (format_name == "jsonl") return InputFormat::jsonl;
  if (format_name == "xes") return InputFormat::xes;
  if (format_name == "csv") return InputFormat::csv;
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
