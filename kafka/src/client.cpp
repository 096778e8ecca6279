#include "relmap/kafka/client.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <thread>
#include <utility>

#include "log_routing.hpp"
#include "relmap/common/logging.hpp"

namespace relmap::kafka {

using namespace std::chrono_literals;

namespace {

const auto& log() {
  static const auto logger = relmap::logger("kafka");
  return logger;
}

int timeout_ms(milliseconds timeout) { return static_cast<int>(timeout.count()); }

/// A message's value for librdkafka: an empty one as null, which a compacted topic takes for a
/// tombstone (librdkafka sends a non-null pointer with length 0 as an empty value, kept forever).
char* payload_or_null(std::string_view value) { return value.empty() ? nullptr : const_cast<char*>(value.data()); }

using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)>;

/// One topic's metadata through `client`, which also caches it; null with the error on failure.
MetadataPtr topic_metadata(rd_kafka_t* client, const std::string& topic, milliseconds timeout,
                           rd_kafka_resp_err_t& error) {
  const TopicHandle handle{rd_kafka_topic_new(client, topic.c_str(), nullptr)};
  const rd_kafka_metadata_t* metadata = nullptr;
  error = rd_kafka_metadata(client, 0, handle.get(), &metadata, timeout_ms(timeout));
  return {error == RD_KAFKA_RESP_ERR_NO_ERROR ? metadata : nullptr, &rd_kafka_metadata_destroy};
}

/// Runs a user handler from inside a librdkafka C callback: no exception may cross into C.
template <typename Function>
void guarded(const char* what, Function&& function) noexcept {
  try {
    function();
  } catch (const std::exception& error) {
    log()->error("{} handler threw: {}", what, error.what());
  } catch (...) {
    log()->error("{} handler threw a non-standard exception", what);
  }
}

void log_callback(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // A command gives all its clients the same properties (its -X list): that a producer ignores a
  // consumer's property, or the reverse, is expected.
  const bool other_clients_property =
      std::strcmp(facility, "CONFWARN") == 0 && std::strstr(message, " property and will be ignored by this ") != nullptr;
  if (other_clients_property) level = 7;
  // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
  const auto spd_level = level <= 3   ? spdlog::level::err
                         : level == 4 ? spdlog::level::warn
                         : level <= 6 ? spdlog::level::info
                                      : spdlog::level::debug;
  log()->log(spd_level, "librdkafka {}: {}", facility, message);
}

void error_callback(rd_kafka_t*, int code, const char* reason, void*) {
  const auto error = static_cast<rd_kafka_resp_err_t>(code);
  // Transport errors while a broker restarts are expected and retried by librdkafka itself.
  const bool transient = error == RD_KAFKA_RESP_ERR__TRANSPORT || error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
  log()->log(transient ? spdlog::level::info : spdlog::level::warn, "{} ({})", reason, rd_kafka_err2name(error));
}

/// Builds the rd_kafka_conf_t from the pass-through properties; librdkafka names a bad property.
rd_kafka_conf_t* make_conf(const Config& config, void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char reason[512];
  for (const auto& [key, value] : config.properties()) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), reason, sizeof reason) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                           "Kafka property " + printable_property(key, value) + ": " + reason);
    }
  }
  rd_kafka_conf_set_opaque(conf, opaque);
  detail::route_logs(conf);
  return conf;
}

/// rd_kafka_new takes ownership of conf on success only.
ClientHandle make_client(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char reason[512];
  rd_kafka_t* handle = rd_kafka_new(type, conf, reason, sizeof reason);
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                         std::string("cannot create Kafka client: ") + reason);
  }
  return ClientHandle{handle};
}

template <typename Callbacks>
int stats_callback(rd_kafka_t*, char* json, std::size_t length, void* opaque) {
  auto* callbacks = static_cast<Callbacks*>(opaque);
  if (callbacks->on_stats) guarded("statistics", [&] { callbacks->on_stats(std::string_view{json, length}); });
  return 0;  // librdkafka frees json
}

}  // namespace

void detail::route_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, log_callback);
  rd_kafka_conf_set_error_cb(conf, error_callback);
}

// ---------------------------------------------------------------------------------------------- Producer

struct Producer::Callbacks {
  DeliveryHandler on_delivery;
  StatsHandler on_stats;
};

namespace {

void delivery_callback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* callbacks = static_cast<Producer::Callbacks*>(opaque);
  if (!callbacks->on_delivery) return;
  guarded("delivery", [&] {
    callbacks->on_delivery(Delivery{message->err ? make_error_code(message->err) : std::error_code{},
                                    message->rkt ? rd_kafka_topic_name(message->rkt) : "", message->partition,
                                    message->offset, message->_private});
  });
}

}  // namespace

Producer::Producer(Config config, DeliveryHandler on_delivery, StatsHandler on_stats)
    : callbacks_(std::make_unique<Callbacks>(Callbacks{std::move(on_delivery), std::move(on_stats)})) {
  // Idempotence keeps retries from duplicating or reordering messages; a user may still turn it off.
  config.set_default("enable.idempotence", "true");
  rd_kafka_conf_t* conf = make_conf(config, callbacks_.get());
  // Without a handler, no delivery reports at all: librdkafka then frees each message as soon as it
  // is acknowledged instead of queueing a report for poll() (the aggregator writes hundreds of
  // thousands of records a minute, and a failed one fails its transaction anyway).
  if (callbacks_->on_delivery) rd_kafka_conf_set_dr_msg_cb(conf, delivery_callback);
  if (callbacks_->on_stats) rd_kafka_conf_set_stats_cb(conf, stats_callback<Callbacks>);
  handle_ = make_client(RD_KAFKA_PRODUCER, conf);
}

Producer::~Producer() = default;

std::error_code Producer::produce(std::string_view topic, std::string_view key, std::string_view value,
                                  const Headers& headers, void* opaque, std::int32_t partition) {
  rd_kafka_headers_t* message_headers = nullptr;
  if (!headers.empty()) {
    message_headers = rd_kafka_headers_new(headers.size());
    for (const auto& [name, header_value] : headers) {
      rd_kafka_header_add(message_headers, name.data(), static_cast<ssize_t>(name.size()), header_value.data(),
                          static_cast<ssize_t>(header_value.size()));
    }
  }
  // rd_kafka_produceva rather than the RD_KAFKA_V_* macros, whose C casts the warnings reject.
  rd_kafka_vu_t fields[7];
  fields[0].vtype = RD_KAFKA_VTYPE_RKT;
  fields[0].u.rkt = topic_handle(topic);
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = partition;
  fields[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[2].u.i = RD_KAFKA_MSG_F_COPY;
  fields[3].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[3].u.mem = {payload_or_null(value), value.size()};
  fields[4].vtype = RD_KAFKA_VTYPE_KEY;
  fields[4].u.mem = {const_cast<char*>(key.data()), key.size()};
  fields[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  fields[5].u.ptr = opaque;
  fields[6].vtype = RD_KAFKA_VTYPE_HEADERS;
  fields[6].u.headers = message_headers;
  const std::size_t field_count = message_headers ? 7 : 6;
  while (true) {
    // On success librdkafka owns the headers; on failure they stay ours.
    KafkaError error{rd_kafka_produceva(handle_.get(), fields, field_count)};
    if (error && error.code() == make_error_code(RD_KAFKA_RESP_ERR__QUEUE_FULL)) {
      // Back-pressure: serve delivery reports until the local queue has room.
      rd_kafka_poll(handle_.get(), 100);
      continue;
    }
    if (error && message_headers != nullptr) rd_kafka_headers_destroy(message_headers);
    return error ? error.code() : std::error_code{};
  }
}

std::error_code Producer::produce_batch(std::string_view topic, std::span<const KeyedMessage> messages,
                                       std::size_t* refused) {
  std::vector<rd_kafka_message_t> batch(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    batch[i].payload = payload_or_null(messages[i].value);
    batch[i].len = messages[i].value.size();
    batch[i].key = const_cast<char*>(messages[i].key.data());
    batch[i].key_len = messages[i].key.size();
    batch[i]._private = messages[i].opaque;
    batch[i].partition = messages[i].partition;
  }
  rd_kafka_topic_t* handle = topic_handle(topic);
  std::size_t enqueued = 0;
  while (enqueued < batch.size()) {
    const std::span<rd_kafka_message_t> rest(batch.data() + enqueued, batch.size() - enqueued);
    for (auto& message : rest) message.err = RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_produce_batch(handle, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY | RD_KAFKA_MSG_F_PARTITION, rest.data(),
                           static_cast<int>(rest.size()));
    const auto is_refused = [](const rd_kafka_message_t& message) { return message.err != 0; };
    const auto first_refused = std::find_if(rest.begin(), rest.end(), is_refused);
    if (first_refused == rest.end()) break;
    // A full queue refuses the message and every one after it: serve delivery reports, then go on from it.
    if (first_refused->err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      if (refused != nullptr) *refused = static_cast<std::size_t>(std::count_if(rest.begin(), rest.end(), is_refused));
      return make_error_code(first_refused->err);
    }
    enqueued += static_cast<std::size_t>(first_refused - rest.begin());
    rd_kafka_poll(handle_.get(), 100);
  }
  return {};
}

rd_kafka_topic_t* Producer::topic_handle(std::string_view topic) {
  const std::lock_guard lock(topics_mutex_);
  auto known = topics_.find(topic);
  if (known == topics_.end()) {
    const std::string name{topic};
    TopicHandle handle{rd_kafka_topic_new(handle_.get(), name.c_str(), nullptr)};
    if (!handle) throw KafkaException(make_error_code(rd_kafka_last_error()), "cannot use topic " + name);
    known = topics_.emplace(name, std::move(handle)).first;
  }
  return known->second.get();
}

int Producer::poll(milliseconds timeout) { return rd_kafka_poll(handle_.get(), timeout_ms(timeout)); }

std::error_code Producer::flush(milliseconds timeout) {
  const auto error = rd_kafka_flush(handle_.get(), timeout_ms(timeout));
  return error == RD_KAFKA_RESP_ERR_NO_ERROR ? std::error_code{} : make_error_code(error);
}

int Producer::outstanding() const { return rd_kafka_outq_len(handle_.get()); }

KafkaError Producer::init_transactions(milliseconds timeout) {
  return KafkaError{rd_kafka_init_transactions(handle_.get(), timeout_ms(timeout))};
}

KafkaError Producer::begin_transaction() { return KafkaError{rd_kafka_begin_transaction(handle_.get())}; }

KafkaError Producer::send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                                 const rd_kafka_consumer_group_metadata_t& group,
                                                 milliseconds timeout) {
  const auto list = to_partition_list(offsets);
  return KafkaError{
      rd_kafka_send_offsets_to_transaction(handle_.get(), list.get(), &group, timeout_ms(timeout))};
}

std::error_code Producer::learn_topics(const std::vector<std::string>& topics, milliseconds timeout) {
  for (const auto& topic : topics) {
    rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
    topic_metadata(handle_.get(), topic, timeout, error);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR) return make_error_code(error);
  }
  return {};
}

KafkaError Producer::commit_transaction(milliseconds timeout) {
  return KafkaError{rd_kafka_commit_transaction(handle_.get(), timeout_ms(timeout))};
}

KafkaError Producer::abort_transaction(milliseconds timeout) {
  return KafkaError{rd_kafka_abort_transaction(handle_.get(), timeout_ms(timeout))};
}

KafkaError Producer::fatal_error() const {
  char reason[512];
  const auto error = rd_kafka_fatal_error(handle_.get(), reason, sizeof reason);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return KafkaError{make_error_code(error), reason};
}

// ---------------------------------------------------------------------------------------------- Consumer

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
  rd_kafka_conf_t* conf = make_conf(config, callbacks_.get());
  rd_kafka_conf_set_rebalance_cb(conf, rebalance_callback);
  if (callbacks_->on_stats) rd_kafka_conf_set_stats_cb(conf, stats_callback<Callbacks>);
  handle_ = make_client(RD_KAFKA_CONSUMER, conf);
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

std::string version() { return rd_kafka_version_str(); }

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

// ---------------------------------------------------------------------------------------------- Admin

namespace {

/// A short-lived client for admin and metadata requests.
ClientHandle admin_client(const Config& config) {
  return make_client(RD_KAFKA_PRODUCER, make_conf(config, nullptr));
}

using AdminEvent = std::unique_ptr<rd_kafka_event_t, HandleDeleter>;

/// Sends one topic admin request (`send` calls librdkafka's with the options and the result queue)
/// and waits for its result; throws when the request as a whole failed.
template <typename Send>
AdminEvent run_topic_admin_request(std::string_view what, rd_kafka_t* client, rd_kafka_admin_op_t operation,
                                   milliseconds timeout, const Send& send) {
  char reason[512];
  std::unique_ptr<rd_kafka_queue_t, HandleDeleter> queue{rd_kafka_queue_new(client)};
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(client, operation);
  rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms(timeout), reason, sizeof reason);
  send(options, queue.get());
  rd_kafka_AdminOptions_destroy(options);
  AdminEvent event{rd_kafka_queue_poll(queue.get(), timeout_ms(timeout) + 5000)};
  if (!event) throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT), std::string(what) + " timed out");
  if (const auto error = rd_kafka_event_error(event.get())) {
    throw KafkaException(make_error_code(error), std::string(what) + ": " + rd_kafka_event_error_string(event.get()));
  }
  return event;
}

/// Throws for the first topic whose result is an error other than `fine` (the idempotent case).
void throw_on_topic_errors(std::string_view what, const rd_kafka_topic_result_t** results, std::size_t count,
                           rd_kafka_resp_err_t fine) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto error = rd_kafka_topic_result_error(results[i]);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != fine) {
      const char* message = rd_kafka_topic_result_error_string(results[i]);
      throw KafkaException(make_error_code(error), std::string(what) + rd_kafka_topic_result_name(results[i]) + ": " +
                                                       (message ? message : rd_kafka_err2str(error)));
    }
  }
}

int partition_count_through(rd_kafka_t* client, const std::string& topic, milliseconds timeout) {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  const auto metadata = topic_metadata(client, topic, timeout, error);
  if (error) throw KafkaException(make_error_code(error), "metadata request for " + topic + " failed");
  const bool exists = metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
  return exists ? metadata->topics[0].partition_cnt : 0;
}

/// The broker answers CreateTopics and DeleteTopics once its controller has the change, and its
/// metadata shows it a moment later: waits until metadata shows every topic `present` or every one
/// gone, so that a command run right after (relmap produce checks its topics exist; topics create
/// after topics delete) sees the change.
void await_metadata(rd_kafka_t* client, const std::vector<std::string>& topics, bool present, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& topic : topics) {
    while ((partition_count_through(client, topic, timeout) > 0) != present) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT),
                             "topic " + topic + (present ? " was created but is not in metadata" : " was deleted but is still in metadata"));
      }
      std::this_thread::sleep_for(milliseconds{10});
    }
  }
}

}  // namespace

void create_topics(const Config& config, const std::vector<NewTopic>& topics, milliseconds timeout) {
  if (topics.empty()) return;
  const auto client = admin_client(config);
  std::vector<rd_kafka_NewTopic_t*> requests;
  char reason[512];
  for (const auto& topic : topics) {
    rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                                         topic.replication_factor, reason, sizeof reason);
    if (request == nullptr) {
      rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
      throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG), "topic " + topic.name + ": " + reason);
    }
    for (const auto& [key, value] : topic.configs) rd_kafka_NewTopic_set_config(request, key.c_str(), value.c_str());
    requests.push_back(request);
  }
  // librdkafka copies the requests: they are freed once sent, whatever comes back.
  const auto send = [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
    rd_kafka_CreateTopics(client.get(), requests.data(), requests.size(), options, queue);
    rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
  };
  const auto event = run_topic_admin_request("creating topics", client.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, send);
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  throw_on_topic_errors("creating topic ", results, count, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  std::vector<std::string> names;
  for (const auto& topic : topics) names.push_back(topic.name);
  await_metadata(client.get(), names, true, timeout);
}

void delete_topics(const Config& config, const std::vector<std::string>& topics, milliseconds timeout) {
  if (topics.empty()) return;
  const auto client = admin_client(config);
  std::vector<rd_kafka_DeleteTopic_t*> requests;
  for (const auto& topic : topics) requests.push_back(rd_kafka_DeleteTopic_new(topic.c_str()));
  const auto send = [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
    rd_kafka_DeleteTopics(client.get(), requests.data(), requests.size(), options, queue);
    rd_kafka_DeleteTopic_destroy_array(requests.data(), requests.size());
  };
  const auto event = run_topic_admin_request("deleting topics", client.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout, send);
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event.get()), &count);
  throw_on_topic_errors("deleting topic ", results, count, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  await_metadata(client.get(), topics, false, timeout);
}

int partition_count(const Config& config, const std::string& topic, milliseconds timeout) {
  return partition_counts(config, {topic}, timeout).front();
}

std::vector<int> partition_counts(const Config& config, const std::vector<std::string>& topics, milliseconds timeout) {
  const auto client = admin_client(config);
  std::vector<int> counts;
  for (const auto& topic : topics) counts.push_back(partition_count_through(client.get(), topic, timeout));
  return counts;
}

std::vector<TopicPartition> high_watermarks(const Config& config, const std::string& topic, milliseconds timeout) {
  const auto client = admin_client(config);
  const int partitions = partition_count_through(client.get(), topic, timeout);
  std::vector<TopicPartition> result;
  for (int partition = 0; partition < partitions; ++partition) {
    const auto watermarks = query_watermarks(client.get(), topic, partition, timeout);
    if (watermarks.error) throw KafkaException(watermarks.error, "watermarks of " + topic + " failed");
    result.push_back({topic, partition, watermarks.high});
  }
  return result;
}

Watermarks query_watermarks(rd_kafka_t* client, const std::string& topic, std::int32_t partition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Watermarks watermarks;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    const auto error = rd_kafka_query_watermark_offsets(client, topic.c_str(), partition, &watermarks.low, &watermarks.high,
                                                       timeout_ms(std::max(left, milliseconds{1})));
    const bool leader_not_ready = error == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION || error == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    if (!leader_not_ready || std::chrono::steady_clock::now() + 10ms >= deadline) {
      watermarks.error = error == RD_KAFKA_RESP_ERR_NO_ERROR ? std::error_code{} : make_error_code(error);
      return watermarks;
    }
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace relmap::kafka
