#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "relmap/consumer/aggregator.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::consumer {

/// Decodes and applies input messages on a thread of its own, in the order they were added. The
/// aggregator hands all of a partition's messages to one shard, so each partition keeps its order
/// while several partitions use several cores (a case, and so its state, lives in one partition).
///
/// Threading: add() and drain() from one thread (the consumer's). Between drains the shard owns the
/// aggregators of the messages it was given; after drain() returns, they may be read and changed again.
class ApplyShard {
 public:
  /// Applies one message to its partition's aggregator; runs on the shard's thread.
  using Apply = std::function<void(const rd_kafka_message_t&, Aggregator&)>;

  explicit ApplyShard(Apply apply);
  ~ApplyShard();
  ApplyShard(const ApplyShard&) = delete;
  ApplyShard& operator=(const ApplyShard&) = delete;

  /// Queues a message; messages are handed to the thread in chunks (one lock per chunk).
  void add(kafka::MessagePtr message, Aggregator& aggregator);
  /// Returns once every message added so far is applied; rethrows what applying one threw.
  void drain();

 private:
  struct Item {
    kafka::MessagePtr message;
    Aggregator* aggregator;
  };

  void hand_over();
  void work();

  Apply apply_;
  std::vector<Item> pending_;  ///< added, not yet handed over (the consumer's thread only)
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<Item> queue_;  ///< handed over, not yet taken by the thread
  bool working_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace relmap::consumer
