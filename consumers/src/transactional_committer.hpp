#pragma once
// The aggregator's transactional producer: commits one batch's records and input offsets as one Kafka
// transaction on a thread of its own, and replaces the producer after a failed one.

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "relmap/kafka/client.hpp"

namespace relmap::consumer {

/// A record to write in a transaction.
struct OutputRecord {
  const std::string* topic;  ///< one of the aggregator's StreamTopics
  std::int32_t partition;
  std::string key;
  std::string value;  ///< empty: a tombstone
  kafka::Headers headers;
};

/// What one transaction commits: a batch's output records and the input positions after it.
struct Transaction {
  std::vector<OutputRecord> records;
  std::vector<kafka::TopicPartition> offsets;
  kafka::GroupMetadataPtr group;
};

/// How a transaction ended: committed, or aborted (by the broker, or because librdkafka refused one of
/// its records locally), the batch to be read again.
struct CommitOutcome {
  bool committed = false;
  std::string abort_reason;
};

/// Threading: start() and settle() on the caller's thread; the transaction runs on its own, the only
/// code that uses the producer while it runs. At most one transaction is in flight.
/// Lifecycle: the producer is initialised for transactions in the constructor (fencing any earlier
/// producer of the same transactional.id) and replaced after every failed transaction: librdkafka
/// 2.0.2 does not always recover the idempotence sequence after one, whether it refused messages
/// locally or the broker failed a produce request ("skipped sequence numbers" at the next commit,
/// which once waited 60 s for a message that never left). A new producer with the same
/// transactional.id takes over; its initialisation aborts the open transaction on the broker.
class TransactionalCommitter {
 public:
  /// `output_topics` are looked up at once, so that the first transaction does not wait for them.
  TransactionalCommitter(kafka::Config config, std::string transactional_id, std::vector<std::string> output_topics);

  /// Commits `transaction` on another thread. Call settle() first: one transaction at a time.
  void start(Transaction transaction);
  bool busy() const;
  /// Waits for the transaction in flight: nothing when there is none. After a failed one the producer
  /// is replaced, after a pause that grows with each failure in a row, before this returns. Rethrows
  /// what was fatal (a fenced producer, an unrecoverable error).
  std::optional<CommitOutcome> settle();

 private:
  CommitOutcome commit(Transaction transaction);
  std::unique_ptr<kafka::Producer> make_producer() const;

  kafka::Config config_;
  std::vector<std::string> output_topics_;
  std::unique_ptr<kafka::Producer> producer_;
  std::future<CommitOutcome> in_flight_;
  int failures_in_a_row_ = 0;
};

}  // namespace relmap::consumer
