#include "relmap/producer/publisher.hpp"

#include "relmap/common/logging.hpp"

namespace relmap::producer {

std::string_view message_key(const schemas::Event& event) {
  return event.case_id ? std::string_view{*event.case_id} : std::string_view{event.event_id};
}

EventPublisher::EventPublisher(kafka::Config config, Topics topics)
    : topics_(std::move(topics)),
      producer_(std::move(config), [this](const kafka::Delivery& delivery) {
        if (delivery.error) {
          ++failed_;
          relmap::logger("producer")->error("delivery to {} failed: {}", delivery.topic, delivery.error.message());
        } else {
          ++acknowledged_;
        }
      }) {}

void EventPublisher::enqueue(const std::string& topic, std::string_view key, std::string_view value,
                             const kafka::Headers& headers) {
  if (const auto error = producer_.produce(topic, key, value, headers)) {
    ++failed_;
    throw kafka::KafkaException(error, "cannot enqueue a message for " + topic + ": " + error.message());
  }
  producer_.poll(std::chrono::milliseconds{0});
}

Result<schemas::Event, schemas::DecodeError> EventPublisher::publish(std::string_view record,
                                                                     const RecordOrigin& origin) {
  auto decoded = decoder_.decode(record);
  if (decoded.has_value()) {
    enqueue(topics_.events, message_key(decoded.value()), record, {});
    ++sent_;
    return decoded;
  }
  const auto& error = decoded.error();
  const std::string location = origin.source + ":" + std::to_string(origin.line);
  enqueue(topics_.dead_letter, location, record,
          {{kReasonHeader, error.to_string()},
           {kReasonCodeHeader, std::string(schemas::to_string(error.code))},
           {kSourceHeader, origin.source},
           {kLineHeader, std::to_string(origin.line)}});
  ++rejected_;
  return decoded;
}

bool EventPublisher::flush(std::chrono::milliseconds timeout) {
  const auto error = producer_.flush(timeout);
  if (error) relmap::logger("producer")->error("flush: {} message(s) not delivered: {}", producer_.outstanding(), error.message());
  return !error && failed_ == 0;
}

PublishCounts EventPublisher::counts() const { return {sent_, rejected_, acknowledged_, failed_}; }

}  // namespace relmap::producer
