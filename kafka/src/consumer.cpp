#include "relmap/kafka/client.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

#include "client_support.hpp"

namespace relmap::kafka {

using namespace std::chrono_literals;
using namespace detail;

struct Consumer::Callbacks {
  RebalanceListener listener;
  StatsHandler on_stats;
  /// What a listener threw inside librdkafka's callback, rethrown by the poll() that ran it.
  std::exception_ptr listener_failure;
  /// Where auto.offset.reset starts a partition the group has no offset for (a logical offset).
  std::int64_t start_without_commit = RD_KAFKA_OFFSET_END;
};

namespace {

/// Runs a rebalance listener inside librdkafka's C callback, where no exception may cross: what it
/// throws is kept for poll() to rethrow. A listener that cannot take its partitions (an unreadable
/// changelog) must stop the consumer, not leave it in the group holding partitions it never reads.
template <typename Function>
void keep_failure(Consumer::Callbacks& callbacks, Function&& function) noexcept {
  try {
    function();
  } catch (...) {
    if (!callbacks.listener_failure) callbacks.listener_failure = std::current_exception();
  }
}

/// librdkafka 2.0.2 starts a partition the group has no offset for only after a back-off: 100 ms
/// (rd_kafka_offset_reset treats "no committed offset" as an error), and 500 ms more when the logical
/// offset is looked up before the partition's leader is known, as on a group's first start. Reading
/// the committed offsets here (the one request librdkafka would make) starts each partition at an
/// absolute offset at once: its committed one, else, for auto.offset.reset=earliest, its first (the
/// low watermark, the same for every isolation level). "latest" stays logical: for a read_committed
/// reader its offset is the last stable one, which only librdkafka's own lookup gives. When anything
/// cannot be read, librdkafka is left to find the offsets itself.
void set_start_offsets(rd_kafka_t* handle, rd_kafka_topic_partition_list_t* partitions, std::int64_t start_without_commit) {
  const PartitionListPtr committed{rd_kafka_topic_partition_list_copy(partitions)};
  if (rd_kafka_committed(handle, committed.get(), 10'000) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
  std::vector<std::int64_t> starts;
  for (int i = 0; i < committed->cnt; ++i) {
    const auto& found = committed->elems[i];
    if (found.err) return;
    if (found.offset >= 0 || start_without_commit != RD_KAFKA_OFFSET_BEGINNING) {
      starts.push_back(found.offset >= 0 ? found.offset : start_without_commit);
      continue;
    }
    const auto watermarks = query_watermarks(handle, found.topic, found.partition, 10s);
    if (watermarks.error) return;
    starts.push_back(watermarks.low);
  }
  for (int i = 0; i < partitions->cnt; ++i) partitions->elems[i].offset = starts[static_cast<std::size_t>(i)];
}

/// The logical offset an auto.offset.reset value names (librdkafka's spellings).
std::int64_t reset_offset(const std::string& policy) {
  if (policy == "smallest" || policy == "earliest" || policy == "beginning") return RD_KAFKA_OFFSET_BEGINNING;
  if (policy == "largest" || policy == "latest" || policy == "end") return RD_KAFKA_OFFSET_END;
  return RD_KAFKA_OFFSET_INVALID;  // "error": librdkafka reports the missing offset itself
}

void rebalance_callback(rd_kafka_t* handle, rd_kafka_resp_err_t error, rd_kafka_topic_partition_list_t* partitions,
                        void* opaque) {
  auto* callbacks = static_cast<Consumer::Callbacks*>(opaque);
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(handle), "COOPERATIVE") == 0;
  const auto changed = from_partition_list(partitions);
  if (error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    set_start_offsets(handle, partitions, callbacks->start_without_commit);
    if (cooperative) {
      KafkaError failed{rd_kafka_incremental_assign(handle, partitions)};
      if (failed) log()->error("incremental assign failed: {}", failed.message());
    } else if (const auto failed = rd_kafka_assign(handle, partitions)) {
      log()->error("assign failed: {}", rd_kafka_err2str(failed));
    }
    log()->info("assigned {} partition(s) ({})", changed.size(), cooperative ? "cooperative" : "eager");
    if (callbacks->listener.on_assigned) keep_failure(*callbacks, [&] { callbacks->listener.on_assigned(changed); });
    return;
  }
  // Revoked (or an error: treated as losing everything, as librdkafka's examples do).
  const bool lost = error != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS || rd_kafka_assignment_lost(handle);
  if (callbacks->listener.on_revoked) {
    keep_failure(*callbacks, [&] { callbacks->listener.on_revoked(changed, lost); });
  }
  log()->info("revoked {} partition(s){}", changed.size(), lost ? " (lost)" : "");
  if (cooperative) {
    KafkaError failed{rd_kafka_incremental_unassign(handle, partitions)};
    if (failed) log()->error("incremental unassign failed: {}", failed.message());
  } else {
    rd_kafka_assign(handle, nullptr);
  }
}

}  // namespace

Consumer::Consumer(Config config, RebalanceListener listener, StatsHandler on_stats)
    : callbacks_(std::make_unique<Callbacks>(Callbacks{std::move(listener), std::move(on_stats), nullptr})) {
  // librdkafka 2.0.2 stops fetching for a fixed second (fetch.queue.backoff.ms came in 2.1.0) once its
  // local queue holds queued.min.messages or queued.max.messages.kbytes, counted over all partitions
  // of the consumer's one queue. A full queue must therefore hold more than a second of consumption,
  // or the consumer starves for the rest of that second, again and again: the default 100,000
  // messages (20 MB of events) drained in a third of a second, the default 64 MiB in 0.75 s at the
  // aggregator's 390k events/s (2M events: 5.7 s with 64 MiB, 4.6 to 4.9 s with 128 MiB).
  config.set_default("queued.min.messages", "1000000");
  config.set_default("queued.max.messages.kbytes", "131072");
  callbacks_->start_without_commit = reset_offset(config.get("auto.offset.reset", "largest"));
  ConfPtr conf = make_conf(config, callbacks_.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), rebalance_callback);
  if (callbacks_->on_stats) rd_kafka_conf_set_stats_cb(conf.get(), stats_callback<Callbacks>);
  handle_ = make_client(RD_KAFKA_CONSUMER, std::move(conf));
  // Serve every event (logs, stats, rebalances) from the consumer queue, so one poll() sees all.
  rd_kafka_poll_set_consumer(handle_.get());
}

Consumer::~Consumer() { close(); }

void Consumer::subscribe(const std::vector<std::string>& topics) {
  PartitionListPtr list{rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()))};
  for (const auto& topic : topics) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (const auto error = rd_kafka_subscribe(handle_.get(), list.get())) {
    throw KafkaException(make_error_code(error), "subscribe failed");
  }
}

void Consumer::assign(const std::vector<TopicPartition>& partitions) {
  const auto list = to_partition_list(partitions);
  if (const auto error = rd_kafka_assign(handle_.get(), list.get())) {
    throw KafkaException(make_error_code(error), "assign failed");
  }
}

Message Consumer::poll(milliseconds timeout) {
  // A message already queued is taken by a call that does not wait: librdkafka 2.0.2 reads the clock
  // once in such a call and four times in one that may wait. A listener that failed in the first call
  // is rethrown at once, as before, not after a second call has served more callbacks.
  MessagePtr message{rd_kafka_consumer_poll(handle_.get(), 0)};
  if (!message && !callbacks_->listener_failure && timeout > milliseconds::zero()) {
    message.reset(rd_kafka_consumer_poll(handle_.get(), timeout_ms(timeout)));
  }
  if (callbacks_->listener_failure) std::rethrow_exception(std::exchange(callbacks_->listener_failure, nullptr));
  return Message(std::move(message));
}

Watermarks Consumer::watermarks(const std::string& topic, std::int32_t partition, milliseconds timeout) const {
  return query_watermarks(handle_.get(), topic, partition, timeout);
}

std::optional<Watermarks> Consumer::last_known_watermarks(const std::string& topic, std::int32_t partition) const {
  Watermarks watermarks;
  if (rd_kafka_get_watermark_offsets(handle_.get(), topic.c_str(), partition, &watermarks.low, &watermarks.high) !=
      RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return watermarks;
}

std::error_code Consumer::commit(const std::vector<TopicPartition>& offsets) {
  const auto list = offsets.empty() ? PartitionListPtr{} : to_partition_list(offsets);
  const auto error = rd_kafka_commit(handle_.get(), list.get(), 0);
  return error == RD_KAFKA_RESP_ERR_NO_ERROR ? std::error_code{} : make_error_code(error);
}

std::vector<TopicPartition> Consumer::committed(const std::vector<TopicPartition>& partitions,
                                                milliseconds timeout) const {
  const auto list = to_partition_list(partitions);
  if (const auto error = rd_kafka_committed(handle_.get(), list.get(), timeout_ms(timeout))) {
    throw KafkaException(make_error_code(error), "reading committed offsets failed");
  }
  return from_partition_list(list.get());
}

std::vector<TopicPartition> Consumer::assignment() const {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (const auto error = rd_kafka_assignment(handle_.get(), &raw)) {
    throw KafkaException(make_error_code(error), "reading the assignment failed");
  }
  const PartitionListPtr list{raw};
  return from_partition_list(list.get());
}

std::vector<TopicPartition> Consumer::position(const std::vector<TopicPartition>& partitions) const {
  const auto list = to_partition_list(partitions);
  if (const auto error = rd_kafka_position(handle_.get(), list.get())) {
    throw KafkaException(make_error_code(error), "reading positions failed");
  }
  return from_partition_list(list.get());
}

std::error_code Consumer::seek(const std::vector<TopicPartition>& offsets, milliseconds timeout) {
  const auto list = to_partition_list(offsets);
  KafkaError error{rd_kafka_seek_partitions(handle_.get(), list.get(), timeout_ms(timeout))};
  if (error) return error.code();
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].err) return make_error_code(list->elems[i].err);
  }
  return {};
}

GroupMetadataPtr Consumer::group_metadata() const {
  return GroupMetadataPtr{rd_kafka_consumer_group_metadata(handle_.get())};
}

std::string Consumer::rebalance_protocol() const {
  const char* protocol = rd_kafka_rebalance_protocol(handle_.get());
  return protocol ? protocol : "NONE";
}

std::string Consumer::member_id() const {
  char* id = rd_kafka_memberid(handle_.get());
  std::string result = id ? id : "";
  rd_kafka_mem_free(handle_.get(), id);
  return result;
}

void Consumer::close() {
  if (closed_ || !handle_) return;
  closed_ = true;
  // Leaves the group (running the revoke callback) before the handle is destroyed.
  if (const auto error = rd_kafka_consumer_close(handle_.get())) {
    log()->warn("consumer close: {}", rd_kafka_err2str(error));
  }
  // close() also runs in destructors: what a listener threw while leaving is reported, not thrown.
  if (const auto failure = std::exchange(callbacks_->listener_failure, nullptr)) {
    guarded("rebalance", [&] { std::rethrow_exception(failure); });
  }
}

}  // namespace relmap::kafka
