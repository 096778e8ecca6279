// relmap ingest: HTTP ingest of events into Kafka; a 2xx means every accepted event is durable.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "ingest_command.hpp"
#include "relmap/common/logging.hpp"
#include "listen_option.hpp"

namespace relmap::app {
namespace {

std::vector<std::string> read_tokens(const std::string& token_file) {
  std::vector<std::string> tokens;
  const auto add = [&](std::string token) {
    const auto first = token.find_first_not_of(" \t\r");
    const auto last = token.find_last_not_of(" \t\r");
    if (first != std::string::npos && token[first] != '#') tokens.push_back(token.substr(first, last - first + 1));
  };
  if (!token_file.empty()) {
    std::ifstream in(token_file);
    if (!in) throw std::runtime_error("cannot read token file " + token_file);
    for (std::string line; std::getline(in, line);) add(line);
  }
  if (const char* from_environment = std::getenv("RELMAP_INGEST_TOKENS")) {
    std::istringstream list(from_environment);
    for (std::string token; std::getline(list, token, ',');) add(token);
  }
  return tokens;
}

}  // namespace

void run_ingest(IngestOptions& options, const Lifetime& lifetime) {
  const auto address = parse_listen(options.listen);
  options.settings.host = address.host;
  options.settings.port = address.port;
  options.settings.tokens = read_tokens(options.token_file);
  options.settings.delivery_timeout = std::chrono::milliseconds{options.delivery_timeout_ms};
  options.settings.body_timeout = std::chrono::milliseconds{options.body_timeout_ms};

  auto publish_settings = options.kafka.publish_settings();
  publish_settings.time_bounds = options.time_bounds.bounds();
  producer::IngestServer server(options.kafka.config(), options.kafka.topics, publish_settings,
                                options.settings);
  server.start();
  std::cout << "relmap ingest: POST " << (options.settings.tls_certificate_file.empty() ? "http" : "https") << "://"
            << options.settings.host << ":" << server.port() << "/v1/events"
            << std::endl;
  const auto log = relmap::logger("ingest");
  for (auto reloaded = lifetime.reloads(); !lifetime.wait_for(std::chrono::milliseconds(200));) {
    if (lifetime.reloads() == reloaded) continue;
    reloaded = lifetime.reloads();
    try {
      auto tokens = read_tokens(options.token_file);
      const auto count = tokens.size();
      server.replace_tokens(std::move(tokens));
      log->info("{} ingest token(s) in use", count);
    } catch (const std::exception& error) {
      log->error("the ingest tokens were not reloaded: {}", error.what());
    }
  }
  server.stop();
  const auto counts = server.publisher().counts();
  // Sent is not stored: what the broker acknowledged, events and dead letters alike, is.
  log->info("{} event(s) sent, {} rejected, {} message(s) stored, {} not stored", counts.sent, counts.rejected,
            counts.acknowledged, counts.failed);
}


void add_ingest_command(CLI::App& app) {
  auto options = std::make_shared<IngestOptions>();
  auto* command = app.add_subcommand("ingest", "Serve HTTP ingest: POST /v1/events (JSON, NDJSON, CloudEvents)");
  command->add_option("--listen", options->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  options->kafka.add_to(*command, true);
  options->time_bounds.add_to(*command);
  command->add_option("--token-file", options->token_file, "accepted bearer tokens, one per line (also RELMAP_INGEST_TOKENS)")
      ->check(CLI::ExistingFile);
  command->add_flag("--insecure-no-auth", options->settings.allow_unauthenticated, "accept requests without a token (local use)");
  command->add_option("--max-body-bytes", options->settings.max_body_bytes, "larger request bodies get 413")
      ->capture_default_str();
  command->add_option("--body-timeout-ms", options->body_timeout_ms,
                      "how long a request body may take to arrive before the answer is 408")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--http-threads", options->settings.http_threads,
                      "threads reading, checking and publishing requests (one waiting for Kafka holds none)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_rate_limit_options(*command, options->settings.requests_per_second_per_token, options->settings.burst_per_token);
  add_tls_options(*command, options->settings.tls_certificate_file, options->settings.tls_key_file);
  command->add_option("--delivery-timeout-ms", options->delivery_timeout_ms,
                      "how long Kafka may take to acknowledge before the answer is 503")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->callback([options] {
    const StopSignals signals;  // before any thread starts
    run_roles({{"ingest", [options](const Lifetime& lifetime) { run_ingest(*options, lifetime); }}}, signals, "relmap ingest");
  });
}

}  // namespace relmap::app
