#include "relmap/kafka/client.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

#include "client_support.hpp"

namespace relmap::kafka {

using namespace std::chrono_literals;
using namespace detail;

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
  ConfPtr conf = make_conf(config, callbacks_.get());
  // Without a handler, no delivery reports at all: librdkafka then frees each message as soon as it
  // is acknowledged instead of queueing a report for poll() (the aggregator writes hundreds of
  // thousands of records a minute, and a failed one fails its transaction anyway).
  if (callbacks_->on_delivery) rd_kafka_conf_set_dr_msg_cb(conf.get(), delivery_callback);
  if (callbacks_->on_stats) rd_kafka_conf_set_stats_cb(conf.get(), stats_callback<Callbacks>);
  handle_ = make_client(RD_KAFKA_PRODUCER, std::move(conf));
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

std::optional<std::string> Producer::property(const std::string& name) const {
  std::size_t size = 0;
  const rd_kafka_conf_t* conf = rd_kafka_conf(handle_.get());
  if (rd_kafka_conf_get(conf, name.c_str(), nullptr, &size) != RD_KAFKA_CONF_OK) return std::nullopt;
  std::string value(size, '\0');
  if (rd_kafka_conf_get(conf, name.c_str(), value.data(), &size) != RD_KAFKA_CONF_OK) return std::nullopt;
  value.resize(size > 0 ? size - 1 : 0);  // without its terminating NUL
  return value;
}

KafkaError Producer::fatal_error() const {
  char reason[512];
  const auto error = rd_kafka_fatal_error(handle_.get(), reason, sizeof reason);
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return KafkaError{make_error_code(error), reason};
}

}  // namespace relmap::kafka
