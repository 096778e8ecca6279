#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "relmap/kafka/client.hpp"

namespace relmap::testing {

/// The real broker's address from RELMAP_KAFKA_BROKERS. Fails the test (never skips) when unset:
/// an integration test that did not run is not a pass. scripts/test sets it.
std::string real_brokers();

/// A name no other test or run uses ("relmap-test-<prefix>-<pid>-<n>").
std::string unique_name(const std::string& prefix);

/// Client settings for tests against `brokers`: short timeouts so failures show quickly.
kafka::Config test_config(const std::string& brokers);

struct ConsumedRecord {
  std::string key;
  std::string value;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

/// Consumes with `consumer` (already subscribed) until `count` records arrived or `timeout` passed.
std::vector<ConsumedRecord> consume(kafka::Consumer& consumer, std::size_t count, std::chrono::milliseconds timeout);

/// Runs a shell command, returns its stdout; fails the test when it exits non-zero.
std::string run_command(const std::string& command);

}  // namespace relmap::testing
