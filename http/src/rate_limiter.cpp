#include "relmap/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace relmap::http {

RateLimiter::RateLimiter(double per_second, double burst) : per_second_(per_second), burst_(std::max(burst, 1.0)) {}

std::optional<std::chrono::milliseconds> RateLimiter::take(std::string_view key, Clock::time_point now) {
  if (!limits()) return std::nullopt;
  const std::lock_guard lock{mutex_};
  const auto refilled = [&](const Bucket& bucket) {
    const double elapsed = std::chrono::duration<double>(now - bucket.filled_at).count();
    return std::min(burst_, bucket.requests + std::max(elapsed, 0.0) * per_second_);
  };
  // Now and then, forget the buckets that are full again: they hold nothing a new one would not.
  if (++takes_since_sweep_ >= 4096) {
    takes_since_sweep_ = 0;
    std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second) >= burst_; });
  }
  auto [found, added] = buckets_.try_emplace(std::string(key), Bucket{burst_, now});
  Bucket& bucket = found->second;
  if (!added) {
    bucket.requests = refilled(bucket);
    bucket.filled_at = now;
  }
  if (bucket.requests >= 1) {
    bucket.requests -= 1;
    return std::nullopt;
  }
  const double seconds = (1 - bucket.requests) / per_second_;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000)));
}

std::string retry_after_seconds(std::chrono::milliseconds wait) {
  return std::to_string(std::max<std::int64_t>(1, (wait.count() + 999) / 1000));
}

}  // namespace relmap::http
