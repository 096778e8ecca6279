// relmap: the map of an organisation's internal relationships, from the events its systems emit.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <dlfcn.h>

#include "commands.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/kafka/client.hpp"

namespace {

/// The library whose malloc every part of the process uses (librdkafka's threads included): jemalloc
/// only if it comes before the C library in the binary's search order.
std::string malloc_provider() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&std::malloc), &info) == 0 || info.dli_fname == nullptr) return "unknown";
  if (std::string_view(info.dli_fname).find("jemalloc") == std::string_view::npos) return info.dli_fname;
  // Looked up, not linked: a sanitizer build has no jemalloc at all.
  using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
  if (mallctl == nullptr) return info.dli_fname;
  const char* version = "unknown";  // "5.3.0-0-g<commit>"
  std::size_t size = sizeof(version);
  mallctl("version", static_cast<void*>(&version), &size, nullptr, 0);
  const std::string_view release(version);
  unsigned arenas = 0;  // relmap's own setting (common/src/jemalloc_options.cpp) unless MALLOC_CONF says otherwise
  size = sizeof(arenas);
  mallctl("opt.narenas", static_cast<void*>(&arenas), &size, nullptr, 0);
  return "jemalloc " + std::string(release.substr(0, release.find('-'))) + ", " + std::to_string(arenas) +
         (arenas == 1 ? " arena" : " arenas");
}

/// What --version prints: relmap's version and those of the libraries its speed depends on.
std::string version_text() {
  return std::string("relmap 0.1.0 (librdkafka ") + relmap::kafka::version() + ", malloc from " + malloc_provider() + ")";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"relmap: a living map of the relationships between an organisation's departments,\n"
               "built from request, response, handoff, feedback and andon events streamed through Kafka."};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_text());
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text, or json: one object per line for a log collector")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.parse_complete_callback([&] {
    relmap::set_log_level(log_level);
    relmap::set_log_format(log_format);
  });

  relmap::app::add_produce_command(app);
  relmap::app::add_ingest_command(app);
  relmap::app::add_generate_command(app);
  relmap::app::add_aggregate_command(app);
  relmap::app::add_map_command(app);
  relmap::app::add_report_command(app);
  relmap::app::add_directory_command(app);
  relmap::app::add_alerts_command(app);
  relmap::app::add_serve_command(app);
  relmap::app::add_run_command(app);
  relmap::app::add_topics_command(app);
  relmap::app::add_demo_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 prints the help, or what is wrong; its own codes (105, 106, ...) are not relmap's.
    return app.exit(error) == 0 ? relmap::app::kExitSuccess : relmap::app::kExitUsage;
  } catch (const relmap::app::CommandFailed& failed) {
    return failed.code;
  } catch (const std::exception& error) {
    // Start-up and configuration failures end here, once, with a clear message.
    std::fprintf(stderr, "relmap: %s\n", error.what());
    return relmap::app::kExitFailure;
  }
  return relmap::app::kExitSuccess;
}
