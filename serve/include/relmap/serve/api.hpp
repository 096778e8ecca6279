#pragma once
// The HTTP API of `relmap serve` (/api/v1, described by serve/openapi.json), answered from the
// latest published snapshot.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "relmap/http/rate_limiter.hpp"
#include "relmap/http/server.hpp"
#include "relmap/serve/access.hpp"
#include "relmap/serve/snapshot.hpp"
#include "relmap/serve/web_root.hpp"

namespace relmap::serve {

struct ApiSettings {
  AccessList access;
  bool allow_unauthenticated = false;  ///< --insecure-no-auth: every request is `operations`
  /// The web pages, answered at / without a token (they hold no data; the API they call checks it).
  std::shared_ptr<const WebRoot> web;
  /// Requests a second each token may send to the API on average (0: no limit), and at once: more
  /// get 429 with Retry-After. The pages' files and the probes are not counted.
  double requests_per_second_per_token = 0;
  double burst_per_token = 50;
};

/// Thread-safe: any number of requests at once, and publish() beside them. A request reads the
/// snapshot that was latest when it arrived, to its end; it never waits for one to be built.
class Api {
 public:
  explicit Api(ApiSettings settings);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void publish(std::shared_ptr<const Snapshot> snapshot);
  std::shared_ptr<const Snapshot> snapshot() const { return snapshot_.load(); }
  /// Records the topics hold beyond the latest snapshot (its follower's lag), for /metrics.
  void set_records_behind(std::int64_t records) { records_behind_.store(records); }

  /// The tokens answered from now on (a token file read again). Throws std::invalid_argument for an
  /// empty list while tokens are required: the list in use is kept.
  void replace_access(AccessList access);

  /// Answers one request (the http::Handler of the service).
  http::Response handle(const http::Request& request) const;

 private:
  struct Metrics;
  struct AnswerCache;
  http::Response route(const http::Request& request, std::string& route_name) const;
  /// The body for `etag` (one snapshot, target and role), drawn once and kept with the snapshot.
  std::shared_ptr<const std::string> cached(const Snapshot& snapshot, const std::string& etag,
                                            const std::function<std::string()>& draw) const;

  ApiSettings settings_;  // its access list is the first: access_ holds the current one
  std::atomic<std::shared_ptr<const AccessList>> access_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::atomic<std::int64_t> records_behind_{0};
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<AnswerCache> answers_;
  std::unique_ptr<http::RateLimiter> rate_limiter_;
};

/// The OpenAPI 3.1 document of the API (serve/openapi.json, built in).
const std::string& openapi_document();

}  // namespace relmap::serve
