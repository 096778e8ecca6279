#include "apply_shard.hpp"

#include <iterator>
#include <utility>

namespace relmap::consumer {
namespace {

/// Messages handed to the thread at once: few enough to keep it busy, many enough that the lock
/// and the wake-up cost little per message.
constexpr std::size_t kChunk = 256;

}  // namespace

ApplyShard::ApplyShard(Apply apply) : apply_(std::move(apply)), thread_([this] { work(); }) {}

ApplyShard::~ApplyShard() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void ApplyShard::add(kafka::MessagePtr message, Aggregator& aggregator) {
  pending_.push_back({std::move(message), &aggregator});
  if (pending_.size() >= kChunk) hand_over();
}

void ApplyShard::drain() {
  hand_over();
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && !working_; });
  if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void ApplyShard::hand_over() {
  if (pending_.empty()) return;
  {
    const std::lock_guard lock(mutex_);
    queue_.insert(queue_.end(), std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end()));
  }
  pending_.clear();
  wake_.notify_one();
}

void ApplyShard::work() {
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
      for (const auto& item : items) apply_(*item.message, *item.aggregator);
    } catch (...) {
      failure = std::current_exception();
    }
    items.clear();  // frees the messages here, off the consumer's thread
    lock.lock();
    if (failure && !failure_) failure_ = failure;
    working_ = false;
    idle_.notify_all();
  }
}

}  // namespace relmap::consumer
