#include "relmap/producer/pipelined_publish.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>

namespace relmap::producer {
namespace {

constexpr std::size_t kBatchRecords = 1024;
constexpr std::size_t kBatchesWaiting = 8;

/// The batches between the two threads. The checking thread puts and finally finishes; the sending
/// thread takes, or abandons when it cannot go on, which makes the next put fail.
class BatchHandOff {
 public:
  bool put(CheckedBatch batch) {
    std::unique_lock lock(mutex_);
    has_room_.wait(lock, [&] { return waiting_.size() < kBatchesWaiting || abandoned_; });
    if (abandoned_) return false;
    waiting_.push_back(std::move(batch));
    has_batch_.notify_one();
    return true;
  }
  std::optional<CheckedBatch> take() {
    std::unique_lock lock(mutex_);
    has_batch_.wait(lock, [&] { return !waiting_.empty() || finished_; });
    if (waiting_.empty()) return std::nullopt;
    CheckedBatch batch = std::move(waiting_.front());
    waiting_.pop_front();
    has_room_.notify_one();
    return batch;
  }
  void finish() { close(finished_); }
  void abandon() { close(abandoned_); }

 private:
  void close(bool& flag) {
    {
      const std::lock_guard lock(mutex_);
      flag = true;
    }
    has_batch_.notify_all();
    has_room_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable has_batch_;
  std::condition_variable has_room_;
  std::deque<CheckedBatch> waiting_;
  bool finished_ = false;
  bool abandoned_ = false;
};

/// Thrown into the reading loop to stop it once the sending thread has failed.
struct SendingStopped {};

}  // namespace

void publish_pipelined(EventPublisher& publisher, const RecordSource& source, const std::string& origin,
                       const RejectedHandler& on_rejected, const std::function<void()>& after_each_batch) {
  BatchHandOff hand_off;
  std::exception_ptr sending_failure;
  std::thread sender([&] {
    pthread_setname_np(pthread_self(), "relmap-send");  // as top -H and perf show it, beside the checking thread
    try {
      while (auto batch = hand_off.take()) {
        publisher.send(*batch);
        publisher.serve_deliveries(std::chrono::milliseconds{0});
        after_each_batch();
      }
    } catch (...) {
      sending_failure = std::current_exception();
      hand_off.abandon();
    }
  });
  std::exception_ptr reading_failure;
  CheckedBatch batch;
  try {
    source([&](std::string_view record, std::uint64_t line) {
      if (const auto error = publisher.check_into(record, {origin, line}, batch)) on_rejected(line, *error, record);
      if (batch.size() == kBatchRecords && !hand_off.put(std::exchange(batch, CheckedBatch{}))) throw SendingStopped{};
    });
  } catch (const SendingStopped&) {
    // sending_failure says why
  } catch (...) {
    reading_failure = std::current_exception();
  }
  if (!batch.empty()) hand_off.put(std::move(batch));  // what was read before a reading failure is sent too
  hand_off.finish();
  sender.join();
  if (sending_failure) std::rethrow_exception(sending_failure);
  if (reading_failure) std::rethrow_exception(reading_failure);
}

}  // namespace relmap::producer
