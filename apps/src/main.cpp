// relmap: the map of an organisation's internal relationships, from the events its systems emit.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "relmap/common/logging.hpp"

int main(int argc, char** argv) {
  CLI::App app{"relmap: a living map of the relationships between an organisation's departments,\n"
               "built from request, response, handoff, feedback and andon events streamed through Kafka."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "relmap 0.1.0");
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.parse_complete_callback([&] { relmap::set_log_level(log_level); });

  relmap::app::add_produce_command(app);
  relmap::app::add_ingest_command(app);
  relmap::app::add_generate_command(app);
  relmap::app::add_aggregate_command(app);
  relmap::app::add_map_command(app);
  relmap::app::add_report_command(app);
  relmap::app::add_directory_command(app);
  relmap::app::add_alerts_command(app);
  relmap::app::add_topics_command(app);
  relmap::app::add_demo_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const relmap::app::CommandFailed& failed) {
    return failed.code;
  } catch (const std::exception& error) {
    // Start-up and configuration failures end here, once, with a clear message.
    std::fprintf(stderr, "relmap: %s\n", error.what());
    return 1;
  }
  return 0;
}
