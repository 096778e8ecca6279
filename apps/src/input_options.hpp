#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "relmap/producer/input.hpp"

namespace relmap::app {

/// The input options every command that reads events shares.
struct InputOptions {
  std::string path;
  std::string format;  ///< empty: the preset's, else from the file name
  std::string preset;  ///< empty: none
  std::string department_attribute;  ///< empty: the preset's or mapping file's, else org:group
  std::string source;  ///< empty: the file's base name
  std::string csv_mapping_path;
  std::string case_column;
  std::string time_column;

  /// Adds --input-format, --preset, --dept-attr, --source and the CSV column options (the file itself is added by the command).
  void add_to(CLI::App& command);
  producer::InputFormat resolved_format() const;
  producer::ProcessLogSettings process_log_settings() const;
  /// Reads every record; logs what a process log held. Throws when unreadable.
  producer::ProcessLogCounts for_each_record(const producer::RecordHandler& on_record) const;
};

}  // namespace relmap::app
