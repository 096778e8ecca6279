// relmap serve: the relationship map, findings and reports over HTTP (/api/v1), always current.
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include <xxhash.h>

#include "commands.hpp"
#include "serve_command.hpp"
#include "listen_option.hpp"
#include "map_source.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/consumer/dead_end_alerts.hpp"
#include "relmap/http/server.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/serve/api.hpp"

namespace relmap::app {
namespace {

const auto& log() {
  static const auto logger = relmap::logger("serve");
  return logger;
}

/// What the aggregates, departments and alerts topics end at: when it moves, the data did.
std::vector<kafka::TopicPartition> ends_of(const MapSource& source) {
  const auto config = source.kafka.config();
  auto ends = kafka::high_watermarks(config, source.kafka.aggregates_topic, std::chrono::seconds(10));
  for (const auto* topic : {&source.kafka.departments_topic, &source.kafka.alerts_topic}) {
    try {
      const auto more = kafka::high_watermarks(config, *topic, std::chrono::seconds(10));
      ends.insert(ends.end(), more.begin(), more.end());
    } catch (const std::exception&) {
      // No directory or alerts topic (yet): a map without names or alerts, as `relmap map` draws it.
    }
  }
  return ends;
}

std::vector<serve::Alert> alerts_of(const MapSource& source) {
  try {
    return serve::alerts_from_topic(consumer::read_alerts(source.kafka.config(), source.kafka.alerts_topic));
  } catch (const std::exception& error) {
    log()->debug("no alerts read from {}: {}", source.kafka.alerts_topic, error.what());
    return {};
  }
}

std::shared_ptr<const serve::Snapshot> draw(const MapSource& source, std::uint64_t version) {
  auto facts = std::make_shared<const aggregation::AggregatesBuilder>(source.load());
  if (!source.input.path.empty()) {
    return std::make_shared<const serve::Snapshot>(version, std::move(facts), source.directory());
  }
  return std::make_shared<const serve::Snapshot>(version, std::move(facts), source.directory(), alerts_of(source));
}

/// The topics' ends as a snapshot's version: instances behind one load balancer that drew from the
/// same ends give the same ETags (a counter of their own would name different data alike).
std::uint64_t version_of(const std::vector<kafka::TopicPartition>& ends) {
  std::string text;
  for (const auto& end : ends) text += end.topic + '\n' + std::to_string(end.partition) + '\n' + std::to_string(end.offset) + '\n';
  return XXH3_64bits(text.data(), text.size());
}

std::int64_t records_between(const std::vector<kafka::TopicPartition>& drawn, const std::vector<kafka::TopicPartition>& now) {
  std::int64_t records = 0;
  for (const auto& end : now) records += end.offset;
  for (const auto& end : drawn) records -= end.offset;
  return std::max<std::int64_t>(records, 0);
}

/// Follows the topics: a new snapshot when their ends move, looked at every refresh interval. Each
/// snapshot is drawn from the whole aggregates topic (compacted: one record per case), so every
/// instance holds the same data and none holds state of its own.
void follow(const ServeOptions& options, serve::Api& api, const Lifetime& lifetime) {
  std::vector<kafka::TopicPartition> drawn_at;
  std::uint64_t version = 0;
  const auto interval = std::chrono::duration<double>(options.refresh_seconds);
  while (!lifetime.stopping()) {
    const auto started = std::chrono::steady_clock::now();
    try {
      auto ends = ends_of(options.source);
      api.set_records_behind(records_between(drawn_at, ends));
      if (ends != drawn_at) {
        version = version_of(ends);
        api.publish(draw(options.source, version));
        drawn_at = std::move(ends);
        api.set_records_behind(0);
        log()->info("snapshot {:016x} drawn in {:.0f} ms", version,
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
      }
    } catch (const std::exception& error) {
      log()->warn("the topics could not be read ({}); answering from snapshot {:016x}", error.what(), version);
    }
    lifetime.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(interval - (std::chrono::steady_clock::now() - started)));
  }
}

/// The pages named by --web-root, else those built beside the binary (build/web for build/apps/relmap)
/// or installed with it (PREFIX/share/relmap/web for PREFIX/bin/relmap); without any, the API alone.
std::shared_ptr<const serve::WebRoot> load_web_root(const std::string& named) {
  if (!named.empty()) return std::make_shared<const serve::WebRoot>(serve::WebRoot::load(named));
  std::error_code error;
  const auto binary_dir = std::filesystem::read_symlink("/proc/self/exe", error).parent_path();
  const auto found = serve::WebRoot::find({binary_dir / ".." / "web", binary_dir / ".." / "share" / "relmap" / "web"});
  if (error || !found) {
    log()->warn("no web pages found beside the binary (--web-root DIR names them): serving the API alone");
    return nullptr;
  }
  return std::make_shared<const serve::WebRoot>(serve::WebRoot::load(*found));
}

}  // namespace

void run_serve(ServeOptions& options, const Lifetime& lifetime, std::string_view name) {
  const auto address = parse_listen(options.listen);
  options.http.host = address.host;
  options.http.port = address.port;
  serve::ApiSettings settings;
  settings.allow_unauthenticated = options.insecure_no_auth;
  settings.requests_per_second_per_token = options.requests_per_second;
  settings.burst_per_token = options.burst;
  if (!options.token_file.empty()) settings.access = serve::AccessList::read_file(options.token_file);
  if (settings.access.size() == 0 && !settings.allow_unauthenticated) {
    throw std::invalid_argument("--token-file with at least one token is required (or --insecure-no-auth for local use)");
  }
  if (settings.allow_unauthenticated) {
    log()->warn("{}: no token is asked for: anyone who can reach the port reads everything", name);
  }
  settings.web = load_web_root(options.web_root);
  const bool settings_has_pages = settings.web != nullptr;
  serve::Api api(std::move(settings));
  http::Server server(options.http, [&api](const http::Request& request) { return api.handle(request); });
  server.start();
  std::cout << name << ": " << (options.http.tls_certificate_file.empty() ? "http" : "https") << "://" << options.http.host << ":" << server.port()
            << (settings_has_pages ? "/" : "/api/v1/graph") << std::endl;

  std::thread follower;
  if (!options.source.input.path.empty()) {
    api.publish(draw(options.source, 1));  // a file does not change: one snapshot
    log()->info("serving {}", options.source.input.path);
  } else {
    follower = std::thread([&] { follow(options, api, lifetime); });
  }
  for (auto reloaded = lifetime.reloads(); !lifetime.wait_for(std::chrono::milliseconds(200));) {
    if (lifetime.reloads() == reloaded || options.token_file.empty()) continue;
    reloaded = lifetime.reloads();
    try {
      auto access = serve::AccessList::read_file(options.token_file);
      const auto count = access.size();
      api.replace_access(std::move(access));
      log()->info("{} token(s) from {} in use", count, options.token_file);
    } catch (const std::exception& error) {
      log()->error("the tokens were not reloaded: {}", error.what());
    }
  }
  if (follower.joinable()) follower.join();
  server.stop();
}

void add_serve_command(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  auto* command = app.add_subcommand("serve", "Serve the map, findings and reports over HTTP (/api/v1), kept current");
  options->source.add_to(*command);
  command->add_option("--listen", options->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  command->add_option("--token-file", options->token_file, "bearer tokens and their roles: TOKEN operations|department:ID per line");
  command->add_flag("--insecure-no-auth", options->insecure_no_auth, "answer requests without a token as operations (local use)");
  command->add_option("--web-root", options->web_root, "the web pages' built files (default: those beside the binary)")
      ->check(CLI::ExistingDirectory);
  command->add_option("--refresh-seconds", options->refresh_seconds, "look at the topics this often for new data")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--http-threads", options->http.threads, "threads answering requests")->check(CLI::PositiveNumber)->capture_default_str();
  add_rate_limit_options(*command, options->requests_per_second, options->burst);
  add_tls_options(*command, options->http.tls_certificate_file, options->http.tls_key_file);
  command->callback([options] {
    options->source.resolve();
    const StopSignals signals;  // before any thread starts
    run_roles({{"serve", [options](const Lifetime& lifetime) { run_serve(*options, lifetime, "relmap serve"); }}}, signals,
              "relmap serve");
  });
}

}  // namespace relmap::app
