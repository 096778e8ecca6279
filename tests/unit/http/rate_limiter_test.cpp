// The token buckets behind ingest's and serve's 429s.
#include "relmap/http/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace relmap::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsTheBurstThenOneRequestPerIntervalForEachKey) {
  RateLimiter limiter(2, 3);  // two a second, three at once
  const auto start = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.take("a", start)) << i;
  const auto wait = limiter.take("a", start);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 500ms);
  EXPECT_FALSE(limiter.take("b", start)) << "another key has its own bucket";
  EXPECT_TRUE(limiter.take("a", start + 499ms));
  EXPECT_FALSE(limiter.take("a", start + 1000ms)) << "refilled at two a second: two in a second";
  EXPECT_FALSE(limiter.take("a", start + 1000ms));
  EXPECT_TRUE(limiter.take("a", start + 1000ms));
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.take("a", start + 1h)) << "full again, not beyond the burst";
  EXPECT_TRUE(limiter.take("a", start + 1h));
}

TEST(RateLimiter, NoRateIsNoLimitAndRetryAfterIsWholeSecondsOfAtLeastOne) {
  RateLimiter unlimited(0, 1);
  for (int i = 0; i < 10000; ++i) ASSERT_FALSE(unlimited.take("a"));
  EXPECT_EQ(retry_after_seconds(1ms), "1");
  EXPECT_EQ(retry_after_seconds(1000ms), "1");
  EXPECT_EQ(retry_after_seconds(1001ms), "2");
}

// Buckets that are full again are swept out now and then; one still spent must not be.
TEST(RateLimiter, ASweepOfIdleBucketsKeepsTheOnesStillSpent) {
  RateLimiter limiter(1, 1);
  const auto start = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_FALSE(limiter.take("busy", start));
  for (int i = 0; i < 5000; ++i) limiter.take("client-" + std::to_string(i), start);
  EXPECT_TRUE(limiter.take("busy", start)) << "its spent bucket outlived the sweep";
}

}  // namespace
}  // namespace relmap::http
