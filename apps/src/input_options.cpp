#include "input_options.hpp"

#include <filesystem>
#include <stdexcept>

#include "relmap/common/logging.hpp"

namespace relmap::app {

void InputOptions::add_to(CLI::App& command) {
  command.add_option("--input-format", format,
                     "jsonl (native or CloudEvents), csv, xes or jira (issues with changelogs); default: from the file name")
      ->check(CLI::IsMember({"jsonl", "csv", "xes", "jira"}));
  std::vector<std::string> preset_names;
  std::string presets_described;
  for (const auto& known : producer::import_presets()) {
    preset_names.emplace_back(known.name);
    presets_described += "\n  " + std::string(known.name) + ": " + std::string(known.export_described);
  }
  command.add_option("--preset", preset, "a ticket system's export, read with its format and columns:" + presets_described)
      ->check(CLI::IsMember(preset_names));
  command.add_option("--dept-attr", department_attribute,
                     "process logs: the attribute naming the department (default org:group, or the preset's)");
  command.add_option("--source", source, "process logs: the events' source (default: the file's base name)");
  command.add_option("--csv-mapping", csv_mapping_path, "CSV logs: mapping file (case=, time=, department=, previous_department=, only_where=, delimiter=)")
      ->check(CLI::ExistingFile);
  command.add_option("--case-column", case_column, "CSV logs: the case column (default case:concept:name)");
  command.add_option("--time-column", time_column, "CSV logs: the timestamp column (default time:timestamp)");
}

producer::ProcessLogSettings InputOptions::process_log_settings() const {
  std::string label = source;
  if (label.empty()) {
    label = std::filesystem::path(path).filename().string();
    label = label.substr(0, label.find('.'));
    if (label.empty() || label == "-") label = "xes";
  }
  producer::ProcessLogSettings settings;
  settings.source = label;
  // The preset, then the mapping file, then the flags: what is given later and closer wins.
  if (const auto* chosen = producer::find_import_preset(preset)) {
    producer::apply_csv_mapping(chosen->mapping, "preset " + preset, settings);
  }
  if (!csv_mapping_path.empty()) producer::load_csv_mapping(csv_mapping_path, settings);
  if (!department_attribute.empty()) settings.department_attribute = department_attribute;
  if (!case_column.empty()) settings.case_column = case_column;
  if (!time_column.empty()) settings.time_column = time_column;
  return settings;
}

producer::InputFormat InputOptions::resolved_format() const {
  if (const auto* chosen = producer::find_import_preset(preset); chosen != nullptr && format.empty()) return chosen->format;
  return producer::resolve_input_format(path, format);
}

producer::ProcessLogCounts InputOptions::for_each_record(const producer::RecordHandler& on_record) const {
  const auto format_used = resolved_format();
  const auto settings = process_log_settings();
  const auto counts = producer::for_each_input_record(path, format_used, settings, on_record);
  if (format_used != producer::InputFormat::jsonl) {
    if (counts.activities > 0 && counts.without_department == counts.activities) {
      // An empty map and exit 0 would look like an organisation without handoffs.
      std::string attributes;
      for (const auto& attribute : counts.event_attributes) attributes += (attributes.empty() ? "" : ", ") + attribute;
      throw std::runtime_error("none of the " + std::to_string(counts.activities) + " events of " + path +
                               " has the department attribute '" + settings.department_attribute +
                               "' (--dept-attr); their attributes: " + attributes);
    }
    relmap::logger("input")->info(
        "{}: {} case(s), {} event(s) ({} without a timestamp, {} without {}), {} handoff(s){}", path, counts.cases,
        counts.activities, counts.without_timestamp, counts.without_department, settings.department_attribute,
        counts.handoffs,
        counts.skipped_rows == 0 ? std::string{}
                                 : "; " + std::to_string(counts.skipped_rows) + " row(s) of other changes skipped");
  }
  return counts;
}

}  // namespace relmap::app
