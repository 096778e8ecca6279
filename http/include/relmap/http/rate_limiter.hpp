#pragma once
// Per-client rate limits: a token bucket for each key (a bearer token), refilled at `per_second`
// and holding at most `burst` requests. Thread-safe. Keys are the clients a server already
// authenticated, so their number is bounded by its token list; the buckets of tokens no longer
// presented are dropped as they fill up again.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace relmap::http {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// `per_second` 0: no limit. `burst` below 1 is taken as 1.
  RateLimiter(double per_second, double burst);

  bool limits() const { return per_second_ > 0; }
  /// Takes one request from `key`'s bucket. nullopt: allowed; else refused, and how long until the
  /// next request would be allowed (for Retry-After).
  std::optional<std::chrono::milliseconds> take(std::string_view key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double requests = 0;  ///< allowed now, up to burst
    Clock::time_point filled_at;
  };
  double per_second_;
  double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::size_t takes_since_sweep_ = 0;
};

/// Retry-After's value for a wait: whole seconds, at least 1.
std::string retry_after_seconds(std::chrono::milliseconds wait);

}  // namespace relmap::http
