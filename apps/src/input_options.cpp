#include "input_options.hpp"

#include <filesystem>

#include "relmap/common/logging.hpp"

namespace relmap::app {

void InputOptions::add_to(CLI::App& command) {
  command.add_option("--input-format", format, "jsonl (native or CloudEvents) or xes; default: from the file name")
      ->check(CLI::IsMember({"jsonl", "xes"}));
  command.add_option("--dept-attr", department_attribute, "process logs: the attribute naming the department")
      ->capture_default_str();
  command.add_option("--source", source, "process logs: the events' source (default: the file's base name)");
}

producer::ProcessLogSettings InputOptions::process_log_settings() const {
  std::string label = source;
  if (label.empty()) {
    label = std::filesystem::path(path).filename().string();
    label = label.substr(0, label.find('.'));
    if (label.empty() || label == "-") label = "xes";
  }
  return {department_attribute, label};
}

producer::ProcessLogCounts InputOptions::for_each_record(const producer::RecordHandler& on_record) const {
  const auto format_used = resolved_format();
  const auto counts = producer::for_each_input_record(path, format_used, process_log_settings(), on_record);
  if (format_used == producer::InputFormat::xes) {
    relmap::logger("input")->info(
        "{}: {} case(s), {} event(s) ({} without a timestamp, {} without {}), {} handoff(s)", path, counts.cases,
        counts.activities, counts.without_timestamp, counts.without_department, department_attribute, counts.handoffs);
  }
  return counts;
}

}  // namespace relmap::app
