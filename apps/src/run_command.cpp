// relmap run: any set of roles (ingest, aggregate, alerts, serve) in one process, from a configuration
// file that environment variables and flags override; SIGTERM drains, SIGHUP reloads the token files.
#include <cstdlib>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "roles.hpp"
#include "run_settings.hpp"
#include "relmap/common/logging.hpp"

namespace relmap::app {
namespace {

struct RunOptions {
  std::string config_file;
  std::vector<std::string> assignments;
  std::vector<std::string> roles;
  bool print_config = false;
  bool check = false;
};

/// The roles to run, in the order they start: what is consumed before what serves it.
std::vector<Role> roles_of(RunConfig& config) {
  std::vector<Role> roles;
  const auto runs = [&](std::string_view role) {
    return std::find(config.roles.begin(), config.roles.end(), role) != config.roles.end();
  };
  if (runs("ingest")) roles.push_back({"ingest", [&config](const Lifetime& lifetime) { run_ingest(config.ingest, lifetime); }});
  if (runs("aggregate")) {
    roles.push_back({"aggregate", [&config](const Lifetime& lifetime) { run_aggregate(config.aggregate, lifetime); }});
  }
  if (runs("alerts")) roles.push_back({"alerts", [&config](const Lifetime& lifetime) { run_alerts(config.alerts, lifetime); }});
  if (runs("serve")) {
    roles.push_back({"serve", [&config](const Lifetime& lifetime) { run_serve(config.serve, lifetime, "relmap serve"); }});
  }
  return roles;
}

void run(const RunOptions& options, const CLI::App& command) {
  // Before any thread starts (threads inherit the blocked signals).
  const StopSignals signals;
  RunSettings settings;
  RunConfig config;
  try {
    if (!options.config_file.empty()) settings.read_file(options.config_file);
    settings.read_environment([](const char* name) { return std::getenv(name); });
    for (const auto& assignment : options.assignments) settings.assign(assignment, "--set");
    if (!options.roles.empty()) {
      std::string roles;
      for (const auto& role : options.roles) roles += (roles.empty() ? "" : ",") + role;
      settings.assign("roles=" + roles, "--role");
    }
    if (options.print_config) {
      std::cout << settings.describe();
      return;
    }
    config = settings.finish();
  } catch (const ConfigError& error) {
    std::cerr << "relmap run: " << error.what() << "\n";
    throw CommandFailed{kExitUsage};
  }
  if (options.check) {
    std::cout << "relmap run: the configuration is valid (roles:";
    for (const auto& role : config.roles) std::cout << " " << role;
    std::cout << ")\n";
    return;
  }
  // The global flags, when given, win over the file as any flag does.
  const auto* parent = command.get_parent();
  if (parent->get_option("--log-format")->count() == 0) set_log_format(config.log_format);
  if (parent->get_option("--log-level")->count() == 0) set_log_level(config.log_level);
  run_roles(roles_of(config), signals, "relmap run");
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  auto* command = app.add_subcommand(
      "run", "Run roles (ingest, aggregate, alerts, serve) from a configuration file against your Kafka");
  command->add_option("--config,-c", options->config_file, "the TOML configuration file (deploy/relmap.toml documents it)")
      ->envname("RELMAP_CONFIG")
      ->check(CLI::ExistingFile);
  command->add_option("--set", options->assignments,
                      "KEY=VALUE over the file and the environment (serve.listen=0.0.0.0:8080, kafka.properties.NAME=VALUE)");
  command->add_option("--role", options->roles, "run this role (repeatable), whatever the file's roles say")
      ->check(CLI::IsMember({"ingest", "aggregate", "alerts", "serve"}));
  command->add_flag("--print-config", options->print_config,
                    "print every key, its value and where it came from (file line, environment, flag, default), and exit");
  command->add_flag("--check", options->check, "check the configuration and exit (0: valid)");
  command->callback([options, command] { run(*options, *command); });
}

}  // namespace relmap::app
