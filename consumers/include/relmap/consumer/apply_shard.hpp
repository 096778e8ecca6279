#pragma once

#include <condition_variable>
#include <exception>
#include <functional>
#include <iterator>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <utility>
#include <vector>

namespace relmap::consumer {

/// A thread that applies items in the order they were added. The aggregator hands all of a
/// partition's messages to one shard, so each partition keeps its order while several partitions use
/// several cores (a case, and so its state, lives in one partition).
///
/// Threading: add() and drain() from one thread (the consumer's). Between drains the shard's thread
/// owns what its items refer to (the aggregators of their partitions); after drain() returns, the
/// caller may read and change it again.
template <typename Item>
class ApplyShard {
 public:
  using Apply = std::function<void(Item&)>;

  explicit ApplyShard(Apply apply) : apply_(std::move(apply)), thread_([this] { work(); }) {}
  ~ApplyShard() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  ApplyShard(const ApplyShard&) = delete;
  ApplyShard& operator=(const ApplyShard&) = delete;

  /// Queues an item; items are handed to the thread in chunks (one lock and wake-up per chunk).
  void add(Item item) {
    pending_.push_back(std::move(item));
    if (pending_.size() >= kChunk) hand_over();
  }

  /// Returns once every item added so far is applied; rethrows what applying one threw (the items
  /// after it in its chunk are then dropped).
  void drain() {
    hand_over();
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return queue_.empty() && !working_; });
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  }

 private:
  /// Few enough to keep the thread busy, many enough that the lock costs little per item.
  static constexpr std::size_t kChunk = 256;

  void hand_over() {
    if (pending_.empty()) return;
    {
      const std::lock_guard lock(mutex_);
      queue_.insert(queue_.end(), std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
    }
    pending_.clear();
    wake_.notify_one();
  }

  void work() {
    pthread_setname_np(pthread_self(), "relmap-apply");  // as top -H and perf show it
    std::vector<Item> items;
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      items.swap(queue_);
      working_ = true;
      lock.unlock();
      std::exception_ptr failure;
      try {
        for (auto& item : items) apply_(item);
      } catch (...) {
        failure = std::current_exception();
      }
      items.clear();  // releases the items here, off the caller's thread
      lock.lock();
      if (failure && !failure_) failure_ = failure;
      working_ = false;
      idle_.notify_all();
    }
  }

  Apply apply_;
  std::vector<Item> pending_;  ///< added, not yet handed over (the caller's thread only)
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
