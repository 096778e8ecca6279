#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "relmap/consumer/state_topics.hpp"
#include "relmap/kafka/config.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::consumer {

struct StreamSettings {
  std::string group = "relmap-aggregator";
  std::string instance_id;  ///< makes the transactional.id; a restarted instance reuses it to fence its zombie
  /// A transaction ends when it holds this many input messages, when it is this old, or as soon as
  /// every assigned partition is read to its end: large under load (each commit costs a round trip,
  /// and the broker 20 to 35 ms of CPU for its markers and checks; each changed case is written once
  /// per transaction), immediate when caught up. 100,000 rather than 50,000: the broker's CPU in a 2M
  /// run fell by a fifth and the run was faster in 7 of 8 alternating pairs (bench/HISTORY.md).
  std::size_t batch_messages = 100000;
  /// Events outside are dead letters (implausible_time): one from the far future would expire
  /// every open request.
  schemas::TimeBounds time_bounds{};
  std::chrono::milliseconds batch_time{1000};
  /// Threads that decode and apply events, each for a share of the partitions (a partition's events
  /// stay in order on one thread); the consumer's thread polls and hands them over.
  std::size_t apply_threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
  std::chrono::hours retention{24 * 90};
  bool stop_at_end = false;  ///< exit once everything in the topic at start is processed and committed
  /// With stop_at_end: the end is where this instance's consumed positions reach, not the group's
  /// committed offsets. For librdkafka's mock cluster, which drops offsets sent to a transaction.
  bool end_by_position = false;
};

/// `relmap aggregate`: consumes the events topic in a consumer group and maintains one Aggregator per
/// assigned partition, exactly once: each batch's changed case states (changelog), case facts
/// (aggregates), dead letters and input offsets are committed in one Kafka transaction. On assignment a
/// partition's state is restored from the changelog first; on an aborted transaction all state is
/// restored again and consumption rewinds to the committed offsets.
///
/// Each transaction commits on a second thread while the next batch is read: the in-memory state may
/// be one batch ahead of Kafka, as after an abort, and a failed transaction drops that batch too
/// (restore and rewind). At most one transaction is in flight; a rebalance waits for it.
///
/// Threading: run() on one thread, which polls; `apply_threads` shards decode and apply, each for its
/// share of the partitions, and are drained before anything else reads or replaces the state (a
/// batch's end, a rebalance, a restore). Rebalance callbacks run inside the poll; the producer is used
/// by one transaction's thread at a time. Lifecycle: run() returns when `stop` becomes true (or at the
/// end with stop_at_end), after committing and leaving the group.
class StreamAggregator {
 public:
  StreamAggregator(kafka::Config config, StreamTopics topics, StreamSettings settings);
  ~StreamAggregator();
  StreamAggregator(const StreamAggregator&) = delete;
  StreamAggregator& operator=(const StreamAggregator&) = delete;

  void run(const std::atomic<bool>& stop);

  struct Counters {
    std::uint64_t messages = 0;
    std::uint64_t rejected = 0;
    std::uint64_t transactions = 0;
    std::uint64_t aborts = 0;
    std::uint64_t restores = 0;
    std::chrono::milliseconds restore_time{0};
  };
  const Counters& counters() const { return counters_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  Counters counters_;
};

}  // namespace relmap::consumer
