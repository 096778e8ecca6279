#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "relmap/http/rate_limiter.hpp"
#include "relmap/http/server.hpp"
#include "relmap/kafka/config.hpp"
#include "relmap/producer/publisher.hpp"

namespace relmap::producer {

struct IngestSettings {
  std::string host = "127.0.0.1";
  int port = 8088;                         ///< 0: any free port (see IngestServer::port())
  std::vector<std::string> tokens;         ///< accepted bearer tokens
  bool allow_unauthenticated = false;      ///< --insecure-no-auth, for local use only
  std::size_t max_body_bytes = 16u << 20;  ///< larger bodies get 413, chunked or not
  /// How long a body may take to arrive once the headers are in; a slower one gets 408.
  std::chrono::milliseconds body_timeout{30000};
  std::chrono::milliseconds delivery_timeout{10000};  ///< how long the broker may take to acknowledge
  /// Threads reading requests, checking and publishing their events, and writing answers. A request
  /// waiting for Kafka's acknowledgements holds none, nor does a slow or idle client.
  std::size_t http_threads = 4;
  /// A kept connection may stay idle this long between requests (and a request's headers must
  /// arrive within it).
  std::chrono::milliseconds idle_timeout{60000};
  std::size_t max_connections = 4096;  ///< one more is closed as soon as it is accepted
  /// Requests a second each token may send on average (0: no limit), and at once: more get 429 with
  /// Retry-After, on the headers, before the body is read.
  double requests_per_second_per_token = 0;
  double burst_per_token = 20;
  /// HTTPS: PEM certificate chain and key (both, or neither: plain HTTP).
  std::string tls_certificate_file;
  std::string tls_key_file;

  /// Throws std::invalid_argument when the settings cannot work (no token and auth required, ...).
  void validate() const;
};

/// HTTP ingest: `POST /v1/events` takes one event, a JSON array, NDJSON, or CloudEvents
/// (application/cloudevents+json, application/cloudevents-batch+json), validates each with the contract
/// decoder and publishes it. It answers only when the broker has acknowledged or failed every event:
/// 200 when all were accepted; 400 when some were invalid (the valid ones are still accepted, and the
/// body says which, with the reasons); 503 when an accepted event could not be stored (the broker is
/// unreachable); 401 without a valid bearer token and 415 for a body that cannot be events (both
/// without reading the body); 413 over the body size limit; 408 for a body slower than its timeout;
/// 429 with Retry-After for a token over its rate limit (on the headers too).
/// A 2xx therefore means durable. `GET /healthz` says the process is up; `GET /readyz` whether the broker answers.
///
/// Threading: requests are read, checked and published on the HTTP server's threads
/// (IngestSettings::http_threads); one thread of ours serves the producer's delivery reports, and
/// the last report of a request sends its answer. Lifecycle: start() binds and serves in the
/// background; stop() (or the destructor) flushes what is in flight, then stops the server.
class IngestServer {
 public:
  IngestServer(kafka::Config kafka_config, Topics topics, PublishSettings publish, IngestSettings settings);
  ~IngestServer();
  IngestServer(const IngestServer&) = delete;
  IngestServer& operator=(const IngestServer&) = delete;

  /// Binds the listening socket and starts serving; throws std::runtime_error when it cannot bind.
  void start();
  /// The bound port (useful with port 0).
  int port() const { return server_->port(); }
  void stop();

  const EventPublisher& publisher() const { return *publisher_; }
  /// The bearer tokens accepted from now on (requests already authorised keep going). Throws
  /// std::invalid_argument for none while authentication is required. Thread-safe.
  void replace_tokens(std::vector<std::string> tokens);

 private:
  std::optional<http::Response> check_headers(const http::Request& headers) const;
  void handle(http::Request request, http::Respond respond);
  void publish_events(const http::Request& request, http::Respond respond);
  bool authorised(std::string_view authorization) const;

  IngestSettings settings_;  // its tokens are those at the start: accepted_tokens_ holds the current ones
  std::atomic<std::shared_ptr<const std::vector<std::string>>> accepted_tokens_;
  kafka::Config kafka_config_;
  std::unique_ptr<EventPublisher> publisher_;
  mutable http::RateLimiter rate_limiter_;
  std::unique_ptr<http::Server> server_;  // uses publisher_: declared after it, destroyed before it
  std::thread delivery_server_;
  std::atomic<bool> running_{false};
};

}  // namespace relmap::producer
