#include "relmap/producer/publisher.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>

#include "relmap/common/json_text.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/producer/digest.hpp"

namespace relmap::producer {

std::string_view message_key(const schemas::Event& event) {
  return event.case_id ? std::string_view{*event.case_id} : std::string_view{event.event_id};
}

std::optional<std::string> actor_pseudonym(const PublishSettings& settings, std::string_view actor) {
  if (!settings.actor_key) return std::nullopt;
  return "hmac-sha256:" + hmac_sha256_hex(*settings.actor_key, actor);
}

namespace {

/// Pseudonymises or removes every `actor` member of `object`; true when there was one.
bool rewrite_actors(rapidjson::Value& object, rapidjson::Document::AllocatorType& allocator,
                    const PublishSettings& settings) {
  bool found = false;
  for (auto member = object.MemberBegin(); member != object.MemberEnd();) {
    if (std::string_view{member->name.GetString(), member->name.GetStringLength()} != "actor") {
      ++member;
      continue;
    }
    found = true;
    const auto pseudonym = member->value.IsString()
                               ? actor_pseudonym(settings, {member->value.GetString(), member->value.GetStringLength()})
                               : std::nullopt;
    if (pseudonym) {
      member->value.SetString(pseudonym->data(), static_cast<rapidjson::SizeType>(pseudonym->size()), allocator);
      ++member;
    } else {
      member = object.EraseMember(member);
    }
  }
  return found;
}

}  // namespace

std::optional<std::string> rejected_record_value(std::string_view record, const PublishSettings& settings) {
  // Cheap for the records that cannot name anyone; a mention in any other place is rewritten too.
  if (record.find("\"actor\"") == std::string_view::npos) return std::string(record);
  if (find_json_text_faults(record, schemas::kMaxEventDepth).too_deep_at) return std::nullopt;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(record.data(), record.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  bool found = rewrite_actors(document, document.GetAllocator(), settings);
  if (const auto data = document.FindMember("data"); data != document.MemberEnd() && data->value.IsObject()) {
    found |= rewrite_actors(data->value, document.GetAllocator(), settings);
  }
  // Named only where the contract does not read it: those bytes are not the people relmap knows of.
  if (!found) return std::nullopt;
  rapidjson::StringBuffer buffer;
  JsonTextWriter writer(buffer);
  if (!document.Accept(writer)) return std::nullopt;  // "\udc00" decoded: no longer UTF-8
  return std::string(buffer.GetString(), buffer.GetSize());
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
  if (event.actor) event.actor = actor_pseudonym(settings_, *event.actor);
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
  kafka::Headers headers{{kafka::topology::kReasonHeader, error.to_string()},
                         {kafka::topology::kReasonCodeHeader, std::string(schemas::to_string(error.code))},
                         {kafka::topology::kSourceHeader, origin.source},
                         {kafka::topology::kLineHeader, std::to_string(origin.line)}};
  auto value = rejected_record_value(record, settings_);
  if (!value) {
    headers.emplace_back(kafka::topology::kWithheldHeader, "names an actor but is not JSON that could be pseudonymised");
    value.emplace();
  } else if (value->size() > kMaxDeadLetterBytes) {
    headers.emplace_back(kafka::topology::kTruncatedFromHeader, std::to_string(value->size()));
    value->resize(kMaxDeadLetterBytes);
  }
  deliver(true, origin.source + ":" + std::to_string(origin.line), *value, headers, std::string_view{});
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
