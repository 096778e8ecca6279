#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "relmap/kafka/client.hpp"

namespace relmap::testing {

/// The real broker's address from RELMAP_KAFKA_BROKERS. Fails the test at once (throws; never skips) when unset:
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
  bool null_value = false;  ///< a tombstone, as distinct from an empty value
};

/// Consumes with `consumer` (already subscribed) until `count` records arrived or `timeout` passed.
std::vector<ConsumedRecord> consume(kafka::Consumer& consumer, std::size_t count, std::chrono::milliseconds timeout);

/// test_config() for a member of `group` reading from the start of its topics. Short session
/// timeouts: the mock cluster's rebalances wait about session.timeout.ms.
kafka::Config group_reader_config(const std::string& brokers, const std::string& group);

/// A new member of `group`, subscribed to `topic`, consumed as consume() does.
std::vector<ConsumedRecord> consume_topic(const std::string& brokers, const std::string& group, const std::string& topic,
                                          std::size_t count, std::chrono::milliseconds timeout);

/// Deletes the records of `topic`'s `partition` before `offset` (the broker's DeleteRecords): the
/// partition then starts at `offset`.
void delete_records_before(const std::string& brokers, const std::string& topic, std::int32_t partition, std::int64_t offset);

/// Runs a shell command, returns its stdout; fails the test when it exits non-zero.
std::string run_command(const std::string& command);

/// A real broker of the test's own (deploy/kafka-local with a private state directory), for tests
/// that stop and restart it without disturbing the shared one. Cleaned up by the destructor.
class PrivateBroker {
 public:
  PrivateBroker();
  ~PrivateBroker();
  PrivateBroker(const PrivateBroker&) = delete;
  PrivateBroker& operator=(const PrivateBroker&) = delete;

  const std::string& bootstraps() const { return bootstraps_; }
  void stop();
  /// Starts it again on the same data and ports.
  void start();

 private:
  std::string command(const std::string& action) const;
  /// A broker that has just started answers metadata requests before it can hand out producer ids:
  /// its first idempotent producer hears "coordinator load in progress" for seconds, longer than
  /// the short delivery timeouts some tests set. One message through such a producer, waited for,
  /// gets it past that before a test starts.
  void serve_first_idempotent_producer() const;
  std::string state_dir_;
  std::string bootstraps_;
};

/// Runs a command in the background; returns its pid. Its stdout goes to `stdout_path`.
int spawn(const std::vector<std::string>& argv, const std::string& stdout_path);
/// Sends `signal` to `pid` and waits for it to exit; returns its exit status (-1 when unknown).
int stop_process(int pid, int signal);
/// Waits until `path` holds a line containing `marker` (or the timeout passes); returns that line.
std::string wait_for_line(const std::string& path, const std::string& marker, std::chrono::milliseconds timeout);

}  // namespace relmap::testing
