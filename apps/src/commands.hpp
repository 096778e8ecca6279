#pragma once

#include <CLI/CLI.hpp>

namespace relmap::app {

/// Each command adds its subcommand (options and callback) to the application.
void add_produce_command(CLI::App& app);
void add_topics_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_ingest_command(CLI::App& app);
void add_map_command(CLI::App& app);
void add_aggregate_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_directory_command(CLI::App& app);
void add_alerts_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_run_command(CLI::App& app);

/// relmap's exit codes, the same for every command (README.md, "Exit codes").
enum ExitCode : int {
  kExitSuccess = 0,
  kExitFailure = 1,         ///< the command failed: the message says why
  kExitUsage = 2,           ///< the command line is wrong (an unknown option, a bad value)
  kExitNotStored = 3,       ///< produce: not every record was acknowledged by the broker
  kExitInvalidRecords = 4,  ///< produce --dry-run: some records are invalid
};

/// Thrown by a command for a failure that has been explained to the user; main exits with `code`.
struct CommandFailed {
  int code;
};

}  // namespace relmap::app
