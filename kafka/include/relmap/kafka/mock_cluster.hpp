#pragma once

#include <cstdint>
#include <string>
#include <system_error>

#include "relmap/kafka/handles.hpp"

struct rd_kafka_mock_cluster_s;

namespace relmap::kafka {

/// Kafka protocol request types (API keys), for error injection. librdkafka's own constants
/// (RD_KAFKAP_*) live in a header it does not install.
enum class ApiKey : std::int16_t {
  produce = 0,
  fetch = 1,
  offset_commit = 8,
  join_group = 11,
  heartbeat = 12,
  init_producer_id = 22,
  add_partitions_to_txn = 24,
  add_offsets_to_txn = 25,
  end_txn = 26,
  txn_offset_commit = 28,
};

/// Kafka protocol error codes a broker answers with, for error injection (librdkafka's
/// rd_kafka_resp_err_t uses the same numbers for them).
enum class BrokerError : std::int16_t {
  message_too_large = 10,
  coordinator_not_available = 15,
  not_enough_replicas = 19,
  topic_authorization_failed = 29,
  invalid_txn_state = 48,
};
/// The error code a client reports for `error` (in kafka_category()).
std::error_code make_error_code(BrokerError error);

/// librdkafka's in-process mock Kafka cluster (rdkafka_mock.h): the embedded default of
/// `relmap demo` and the place for fast fault-injection tests.
///
/// Its brokers listen on loopback ports, so clients in other processes (kcat, `relmap produce`)
/// can use bootstraps() too. Limits in librdkafka 2.0.2: no Admin API (create topics here),
/// transactions are a client state-machine only (no markers, offsets sent to a transaction are
/// dropped), slow group rebalances (set a low session.timeout.ms). See deploy/README.md.
///
/// Lifecycle: the cluster lives as long as this object; clients using it must be destroyed first.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 1);
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  /// "127.0.0.1:port,..." for bootstrap.servers.
  std::string bootstraps() const;
  void create_topic(const std::string& topic, int partitions, int replication_factor = 1);
  /// The next `count` requests of `api_key` fail with `error`.
  void inject_errors(ApiKey api_key, std::size_t count, BrokerError error);
  void set_broker_down(int32_t broker_id, bool down);

 private:
  ClientHandle owner_;  // the cluster logs through this client: destroyed after the cluster
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
};

}  // namespace relmap::kafka
