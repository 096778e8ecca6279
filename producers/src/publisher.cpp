#include "relmap/producer/publisher.hpp"

#include "relmap/common/logging.hpp"
#include "relmap/producer/digest.hpp"

namespace relmap::producer {

std::string_view message_key(const schemas::Event& event) {
  return event.case_id ? std::string_view{*event.case_id} : std::string_view{event.event_id};
}

std::optional<std::string> first_missing_topic(const kafka::Config& config, const Topics& topics,
                                               std::chrono::milliseconds timeout) {
  const auto counts = kafka::partition_counts(config, {topics.events, topics.dead_letter}, timeout);
  if (counts[0] == 0) return topics.events;
  if (counts[1] == 0) return topics.dead_letter;
  return std::nullopt;
}

EventPublisher::EventPublisher(kafka::Config config, Topics topics, PublishSettings settings)
    : topics_(std::move(topics)),
      settings_(std::move(settings)),
      producer_(std::move(config), [this](const kafka::Delivery& delivery) {
        // The opaque owns the caller's callback, if any: take it back whatever happened.
        std::unique_ptr<DeliveryCallback> on_delivered{static_cast<DeliveryCallback*>(delivery.opaque)};
        if (delivery.error) {
          // When a whole run fails (the broker gone for longer than message.timeout.ms), a line per
          // record would bury the cause: the first few, then only the count in the summary.
          constexpr std::uint64_t kLoggedFailures = 10;
          const auto failures = ++failed_;
          const auto& log = relmap::logger("producer");
          if (failures <= kLoggedFailures) log->error("delivery to {} failed: {}", delivery.topic, delivery.error.message());
          if (failures == kLoggedFailures) log->error("further failed deliveries are counted, not logged");
        } else {
          ++acknowledged_;
        }
        if (on_delivered) (*on_delivered)(delivery.error);
      }) {}

void EventPublisher::enqueue(const std::string& topic, std::string_view key, std::string_view value,
                             const kafka::Headers& headers, DeliveryCallback on_delivered) {
  auto callback = on_delivered ? std::make_unique<DeliveryCallback>(std::move(on_delivered)) : nullptr;
  if (const auto error = producer_.produce(topic, key, value, headers, callback.get())) enqueue_failed(topic, error);
  callback.release();  // now owned by the message, returned in the delivery report
}

void EventPublisher::enqueue_failed(const std::string& topic, std::error_code error, std::uint64_t refused) {
  failed_ += refused;
  throw kafka::KafkaException(error, "cannot enqueue a message for " + topic + ": " + error.message());
}

std::optional<std::string> EventPublisher::rewritten_value(const schemas::Event& event) const {
  if (!event.actor && !event.from_cloud_event) return std::nullopt;
  return canonical_value(event);
}

std::string EventPublisher::canonical_value(schemas::Event event) const {
  if (event.actor) {
    if (settings_.actor_key) {
      event.actor = "hmac-sha256:" + hmac_sha256_hex(*settings_.actor_key, *event.actor);
    } else {
      event.actor.reset();
    }
  }
  return schemas::to_json(event);
}

template <typename Deliver>
std::optional<schemas::DecodeError> EventPublisher::route(std::string_view record, const RecordOrigin& origin,
                                                          Deliver&& deliver) const {
  // Most records are published as they are and need no Event: checking them is enough.
  const auto checked = decoder_.check(record);
  if (checked.has_value()) {
    const auto& event = checked.value();
    if (event.names_actor || event.from_cloud_event) {  // what rewritten_value() rewrites
      const auto decoded = decoder_.decode(record);      // valid: check() said so
      deliver(false, message_key(decoded.value()), *rewritten_value(decoded.value()), kafka::Headers{},
              std::string_view{decoded.value().event_id});
    } else {
      deliver(false, event.case_id ? *event.case_id : event.event_id, record, kafka::Headers{}, event.event_id);
    }
    return std::nullopt;
  }
  const auto& error = checked.error();
  deliver(true, origin.source + ":" + std::to_string(origin.line), record,
          kafka::Headers{{kReasonHeader, error.to_string()},
                         {kReasonCodeHeader, std::string(schemas::to_string(error.code))},
                         {kSourceHeader, origin.source},
                         {kLineHeader, std::to_string(origin.line)}},
          std::string_view{});
  return error;
}

Result<std::string, schemas::DecodeError> EventPublisher::publish(std::string_view record, const RecordOrigin& origin,
                                                                  DeliveryCallback on_delivered) {
  std::string event_id;
  auto error = route(record, origin, [&](bool dead_letter, std::string_view key, std::string_view value,
                                         const kafka::Headers& headers, std::string_view id) {
    ++(dead_letter ? rejected_ : sent_);
    enqueue(dead_letter ? topics_.dead_letter : topics_.events, key, value, headers, std::move(on_delivered));
    event_id = id;
  });
  if (error) return std::move(*error);
  return event_id;
}

std::optional<schemas::DecodeError> EventPublisher::check_into(std::string_view record, const RecordOrigin& origin,
                                                               CheckedBatch& batch) const {
  return route(record, origin, [&](bool dead_letter, std::string_view key, std::string_view value, kafka::Headers headers,
                                   std::string_view) { batch.add(dead_letter, key, value, std::move(headers)); });
}

void EventPublisher::send(const CheckedBatch& batch) {
  const std::string_view bytes = batch.bytes_;
  const auto key_of = [&](const CheckedBatch::Entry& entry) { return bytes.substr(entry.key_at, entry.key_size); };
  const auto value_of = [&](const CheckedBatch::Entry& entry) {
    return bytes.substr(entry.key_at + entry.key_size, entry.value_size);
  };
  // The events go in one call; the few dead letters, which carry headers, one by one.
  events_to_send_.clear();
  for (const auto& entry : batch.entries_) {
    if (entry.dead_letter) {
      ++rejected_;
      enqueue(topics_.dead_letter, key_of(entry), value_of(entry), entry.headers, {});
    } else {
      events_to_send_.push_back({key_of(entry), value_of(entry)});
    }
  }
  sent_ += events_to_send_.size();
  std::size_t refused = 0;
  if (const auto error = producer_.produce_batch(topics_.events, events_to_send_, &refused)) {
    enqueue_failed(topics_.events, error, refused);
  }
}

bool EventPublisher::flush(std::chrono::milliseconds timeout) {
  const auto error = producer_.flush(timeout);
  if (error) relmap::logger("producer")->error("flush: {} message(s) not delivered: {}", producer_.outstanding(), error.message());
  return !error && failed_ == 0;
}

void EventPublisher::serve_deliveries(std::chrono::milliseconds timeout) { producer_.poll(timeout); }

PublishCounts EventPublisher::counts() const { return {sent_, rejected_, acknowledged_, failed_}; }

}  // namespace relmap::producer
