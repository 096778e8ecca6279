#include "relmap/producer/publisher.hpp"

#include "relmap/common/logging.hpp"
#include "relmap/producer/digest.hpp"

namespace relmap::producer {

std::string_view message_key(const schemas::Event& event) {
  return event.case_id ? std::string_view{*event.case_id} : std::string_view{event.event_id};
}

EventPublisher::EventPublisher(kafka::Config config, Topics topics, PublishSettings settings)
    : topics_(std::move(topics)),
      settings_(std::move(settings)),
      producer_(std::move(config), [this](const kafka::Delivery& delivery) {
        // The opaque owns the caller's callback, if any: take it back whatever happened.
        std::unique_ptr<DeliveryCallback> on_delivered{static_cast<DeliveryCallback*>(delivery.opaque)};
        if (delivery.error) {
          ++failed_;
          relmap::logger("producer")->error("delivery to {} failed: {}", delivery.topic, delivery.error.message());
        } else {
          ++acknowledged_;
        }
        if (on_delivered) (*on_delivered)(delivery.error);
      }) {}

void EventPublisher::enqueue(const std::string& topic, std::string_view key, std::string_view value,
                             const kafka::Headers& headers, DeliveryCallback on_delivered) {
  auto callback = on_delivered ? std::make_unique<DeliveryCallback>(std::move(on_delivered)) : nullptr;
  if (const auto error = producer_.produce(topic, key, value, headers, callback.get())) {
    ++failed_;
    throw kafka::KafkaException(error, "cannot enqueue a message for " + topic + ": " + error.message());
  }
  callback.release();  // now owned by the message, returned in the delivery report
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

Result<std::string, schemas::DecodeError> EventPublisher::publish(std::string_view record, const RecordOrigin& origin,
                                                                  DeliveryCallback on_delivered) {
  // Most records are published as they are and need no Event: checking them is enough.
  const auto checked = decoder_.check(record);
  if (checked.has_value()) {
    const auto& event = checked.value();
    std::string event_id(event.event_id);
    if (event.names_actor || event.from_cloud_event) {  // what rewritten_value() rewrites
      const auto decoded = decoder_.decode(record);      // valid: check() said so
      enqueue(topics_.events, message_key(decoded.value()), *rewritten_value(decoded.value()), {}, std::move(on_delivered));
    } else {
      enqueue(topics_.events, event.case_id ? *event.case_id : event.event_id, record, {}, std::move(on_delivered));
    }
    ++sent_;
    return event_id;
  }
  const auto& error = checked.error();
  const std::string location = origin.source + ":" + std::to_string(origin.line);
  enqueue(topics_.dead_letter, location, record,
          {{kReasonHeader, error.to_string()},
           {kReasonCodeHeader, std::string(schemas::to_string(error.code))},
           {kSourceHeader, origin.source},
           {kLineHeader, std::to_string(origin.line)}},
          std::move(on_delivered));
  ++rejected_;
  return error;
}

bool EventPublisher::flush(std::chrono::milliseconds timeout) {
  const auto error = producer_.flush(timeout);
  if (error) relmap::logger("producer")->error("flush: {} message(s) not delivered: {}", producer_.outstanding(), error.message());
  return !error && failed_ == 0;
}

void EventPublisher::serve_deliveries(std::chrono::milliseconds timeout) { producer_.poll(timeout); }

PublishCounts EventPublisher::counts() const { return {sent_, rejected_, acknowledged_, failed_}; }

}  // namespace relmap::producer
