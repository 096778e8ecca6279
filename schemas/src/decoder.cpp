#include "relmap/schemas/decoder.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <limits>
#include <memory>
#include <stdexcept>
#include <mutex>
#include <unordered_set>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/common/json_writer.hpp"

#include "captured_event.hpp"
#include "embedded_schemas.hpp"
#include "object_rules.hpp"
#include "relmap/common/json_text.hpp"
#include "relmap/common/utf8.hpp"

namespace relmap::schemas {
namespace {

using rapidjson::Document;
using rapidjson::Value;

/// A schema file with the document it was compiled from (kept to explain failures), and validators
/// to reuse: building one allocates its stacks and hashers, which costs more than validating a small
/// event. A pool rather than one validator, because one Decoder serves many threads.
struct CompiledSchema {
  Document source;
  std::unique_ptr<rapidjson::SchemaDocument> schema;
  mutable std::mutex pool_mutex;
  mutable std::vector<std::unique_ptr<rapidjson::SchemaValidator>> pool;

  /// A validator from the pool, given back when the lease ends.
  class Lease {
   public:
    explicit Lease(const CompiledSchema& owner) : owner_(owner) {
      {
        const std::lock_guard lock(owner.pool_mutex);
        if (!owner.pool.empty()) {
          validator_ = std::move(owner.pool.back());
          owner.pool.pop_back();
        }
      }
      if (validator_) {
        validator_->Reset();
      } else {
        validator_ = std::make_unique<rapidjson::SchemaValidator>(*owner.schema);
      }
    }
    ~Lease() {
      const std::lock_guard lock(owner_.pool_mutex);
      owner_.pool.push_back(std::move(validator_));
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    rapidjson::SchemaValidator& operator*() const { return *validator_; }

   private:
    const CompiledSchema& owner_;
    std::unique_ptr<rapidjson::SchemaValidator> validator_;
  };

  explicit CompiledSchema(std::string_view file_name) : CompiledSchema(parse_schema(file_name)) {}

  explicit CompiledSchema(Document parsed) : source(std::move(parsed)) {
    schema = std::make_unique<rapidjson::SchemaDocument>(source);
  }

  static Document parse_schema(std::string_view file_name) {
    const auto text = schema_text(file_name);
    Document parsed;
    parsed.Parse(text.data(), text.size());
    if (parsed.HasParseError()) {
      throw std::logic_error("embedded schema " + std::string(file_name) + " is not valid JSON");
    }
    return parsed;
  }

  /// The envelope's rules and one type's as one flat object schema (their properties are disjoint),
  /// so that a native event is validated in one pass rather than two.
  static CompiledSchema envelope_and(const Document& envelope, std::string_view type_file_name) {
    Document merged;
    merged.CopyFrom(envelope, merged.GetAllocator());
    Document type = parse_schema(type_file_name);
    auto& allocator = merged.GetAllocator();
    for (auto& property : type["properties"].GetObject()) {
      if (merged["properties"].HasMember(property.name)) {
        throw std::logic_error(std::string(type_file_name) + " redefines the envelope's " + property.name.GetString());
      }
      merged["properties"].AddMember(Value(property.name, allocator), Value(property.value, allocator), allocator);
    }
    for (const auto& name : type["required"].GetArray()) merged["required"].PushBack(Value(name, allocator), allocator);
    if (type.HasMember("definitions")) merged.AddMember("definitions", Value(type["definitions"], allocator), allocator);
    return CompiledSchema(std::move(merged));
  }
};

constexpr std::array<std::string_view, 5> kTypeNames = {"request", "response", "handoff", "feedback", "andon"};

DecodeError error(DecodeErrc code, std::string path, std::string message) {
  return DecodeError{code, std::move(path), std::move(message)};
}

std::string to_json_text(const Value& value) {
  rapidjson::StringBuffer buffer;
  relmap::JsonTextWriter writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string pointer_text(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.Stringify(buffer);
  return {buffer.GetString(), buffer.GetSize()};
}

/// Turns RapidJSON's (keyword, schema pointer, document pointer) into a message a person can act on.
DecodeError explain_violation(const rapidjson::SchemaValidator& validator, const CompiledSchema& compiled,
                              const Value& document) {
  const std::string keyword = validator.GetInvalidSchemaKeyword();
  std::string path = pointer_text(validator.GetInvalidDocumentPointer());
  const Value* rule = validator.GetInvalidSchemaPointer().Get(compiled.source);
  const Value* offending = validator.GetInvalidDocumentPointer().Get(document);
  const auto rule_member = [&](const char* name) -> const Value* {
    if (rule == nullptr || !rule->IsObject()) return nullptr;
    const auto found = rule->FindMember(name);
    return found == rule->MemberEnd() ? nullptr : &found->value;
  };

  if (keyword == "required") {
    // RapidJSON 1.1 does not say which member is missing: find the first one ourselves.
    if (const Value* required = rule_member("required"); required && offending && offending->IsObject()) {
      for (const auto& name : required->GetArray()) {
        if (!offending->HasMember(name)) {
          return error(DecodeErrc::schema_violation, path + "/" + name.GetString(), "required field is missing");
        }
      }
    }
    return error(DecodeErrc::schema_violation, path, "a required field is missing");
  }
  if (keyword == "type") {
    const Value* expected = rule_member("type");
    const std::string name = expected && expected->IsString() ? expected->GetString() : "value of another type";
    const bool vowel = name == "object" || name == "integer" || name == "array";
    return error(DecodeErrc::schema_violation, path, std::string("must be ") + (vowel ? "an " : "a ") + name);
  }
  if (keyword == "minLength") {
    const Value* minimum = rule_member("minLength");
    if (minimum && minimum->GetUint() == 1) return error(DecodeErrc::schema_violation, path, "must not be empty");
    return error(DecodeErrc::schema_violation, path,
                 "shorter than " + std::to_string(minimum ? minimum->GetUint() : 0) + " characters");
  }
  if (keyword == "maxLength") {
    const Value* maximum = rule_member("maxLength");
    return error(DecodeErrc::schema_violation, path,
                 "longer than " + std::to_string(maximum ? maximum->GetUint() : 0) + " characters");
  }
  if (keyword == "enum") {
    const std::string given = offending ? to_json_text(*offending) : "?";
    if (path == "/type" && offending && offending->IsString()) {
      return error(DecodeErrc::unknown_type, path, "unknown event type " + given);
    }
    if (path == "/v") {
      return error(DecodeErrc::unsupported_version, path, "unsupported contract version " + given + " (expected 1)");
    }
    std::string allowed;
    if (const Value* values = rule_member("enum")) {
      for (const auto& value : values->GetArray()) {
        allowed += allowed.empty() ? "" : ", ";
        allowed += to_json_text(value);
      }
    }
    return error(DecodeErrc::schema_violation, path, given + " is not one of " + allowed);
  }
  return error(DecodeErrc::schema_violation, path, "violates the schema rule '" + keyword + "'");
}

std::optional<DecodeError> validate(const CompiledSchema& compiled, const Value& document) {
  const CompiledSchema::Lease validator(compiled);
  if (document.Accept(*validator)) return std::nullopt;
  return explain_violation(*validator, compiled, document);
}

}  // namespace

/// TimeBounds applied, reading the clock only when an event could be past the latest bound: clocks
/// move forward, so an event no later than a bound computed from an earlier reading is within the
/// bound of any later one. Nearly every event is, and is judged without a clock read on the hot path.
class detail::PlausibleTimes {
 public:
  explicit PlausibleTimes(TimeBounds bounds) : bounds_(std::move(bounds)) {}

  /// Why an event at `at` is implausible, or nothing.
  std::optional<std::string> problem(Timestamp at) const {
    if (at < bounds_.earliest) return "before " + format_rfc3339(bounds_.earliest) + ", the earliest time accepted";
    if (at.time_since_epoch().count() <= latest_known_.load(std::memory_order_relaxed)) return std::nullopt;
    const Timestamp now = bounds_.now();
    const Timestamp latest = now + bounds_.latest_ahead;
    if (at > latest) {
      return "more than " + std::to_string(std::chrono::duration_cast<std::chrono::hours>(bounds_.latest_ahead).count()) +
             " h after the time it was processed, " + format_rfc3339(now);
    }
    // Raised, never lowered: threads that read the clock at once may store in either order.
    auto known = latest_known_.load(std::memory_order_relaxed);
    while (latest.time_since_epoch().count() > known &&
           !latest_known_.compare_exchange_weak(known, latest.time_since_epoch().count(), std::memory_order_relaxed)) {
    }
    return std::nullopt;
  }

 private:
  TimeBounds bounds_;
  mutable std::atomic<Timestamp::rep> latest_known_{std::numeric_limits<Timestamp::rep>::min()};
};

namespace {

using detail::PlausibleTimes;

/// Applies the checks the schemas cannot express to an object that satisfies its type's schema, and
/// builds the typed Event from it.
class EventBuilder {
 public:
  EventBuilder(const detail::CapturedObject& object, const PlausibleTimes& times) : object_(object), times_(times) {}

  /// The first rule beyond the schema that the object breaks, in the order build() reports them.
  std::optional<DecodeError> check(EventType type) {
    occurred_at_ = time(Field::occurred_at);
    if (!first_error_) plausible(occurred_at_);
    switch (type) {
      case EventType::request:
        departments_from_and_to();
        if (given(Field::due_at)) due_at_ = time(Field::due_at);
        distinct_departments();
        break;
      case EventType::response:
        departments_from_and_to();
        distinct_departments();
        if (given(Field::redirect_to)) {
          check_department(Field::redirect_to);
        } else if (parse_outcome(object_[Field::outcome].text) == Outcome::redirected) {
          fail(DecodeErrc::schema_violation, "/redirect_to", "required when outcome is \"redirected\"");
        }
        break;
      case EventType::handoff:
        if (given(Field::from)) check_department(Field::from);
        check_department(Field::to);
        distinct_departments();
        break;
      case EventType::feedback:
        if (given(Field::about)) check_department(Field::about);
        if (given(Field::from)) check_department(Field::from);
        break;
      case EventType::andon:
        check_department(Field::from);
        check_department(Field::about);
        break;
    }
    return std::move(first_error_);
  }

  Result<Event, DecodeError> build(EventType type) {
    Event event;
    if (auto broken = fill(type, event)) return std::move(*broken);
    return event;
  }

  /// Checks the object and writes its event into `event`, every member, reusing the memory the strings
  /// and attrs of `event` hold already: a thread that decodes into one Event allocates nothing for
  /// most events, where a new Event costs a third of decoding a request (its strings built, moved
  /// into the result and freed).
  std::optional<DecodeError> fill(EventType type, Event& event) {
    if (auto broken = check(type)) return broken;
    event.event_id.assign(object_[Field::event_id].text);
    event.occurred_at = occurred_at_;
    assign(event.case_id, Field::case_id);
    event.source.assign(object_[Field::source].text);
    assign(event.actor, Field::actor);
    event.attrs.resize(object_.attrs.size());
    for (std::size_t i = 0; i < object_.attrs.size(); ++i) {
      event.attrs[i].first.assign(object_.attrs[i].first);
      event.attrs[i].second.assign(object_.attrs[i].second);
    }
    event.from_cloud_event = false;
    switch (type) {
      case EventType::request: {
        auto& request = alternative<Request>(event.body);
        assign_departments(request);
        request.request_id.assign(object_[Field::request_id].text);
        if (request.request_id.empty()) request.request_id.assign(event.event_id);
        assign(request.topic, Field::topic);
        request.due_at_given = given(Field::due_at);
        request.due_at = request.due_at_given ? due_at_ : occurred_at_ + kDefaultSla;
        break;
      }
      case EventType::response: {
        auto& response = alternative<Response>(event.body);
        assign_departments(response);
        response.request_id.assign(object_[Field::request_id].text);
        response.outcome = parse_outcome(object_[Field::outcome].text);
        if (response.outcome == Outcome::redirected) {
          assign(response.redirect_to, Field::redirect_to);
        } else {
          response.redirect_to.reset();
        }
        assign(response.reason, Field::reason);
        break;
      }
      case EventType::handoff: {
        auto& handoff = alternative<Handoff>(event.body);
        assign(handoff.from, Field::from);
        handoff.to.assign(object_[Field::to].text);
        assign(handoff.reason, Field::reason);
        break;
      }
      case EventType::feedback: {
        auto& feedback = alternative<Feedback>(event.body);
        feedback.solved = object_[Field::solved].boolean;
        assign(feedback.about, Field::about);
        assign(feedback.from, Field::from);
        break;
      }
      case EventType::andon: {
        auto& andon = alternative<Andon>(event.body);
        andon.from.assign(object_[Field::from].text);
        andon.about.assign(object_[Field::about].text);
        andon.severity = parse_severity(object_[Field::severity].text);
        andon.reason.assign(object_[Field::reason].text);
        break;
      }
    }
    return std::nullopt;
  }

 private:
  using Field = detail::Field;

  void fail(DecodeErrc code, std::string path, std::string message) {
    if (!first_error_) first_error_ = error(code, std::move(path), std::move(message));
  }

  bool given(Field field) const { return object_.has(field); }
  /// Sets `target` to the field's text, or to none when the object does not give the field.
  void assign(std::optional<std::string>& target, Field field) const {
    if (!given(field)) {
      target.reset();
    } else if (target) {
      target->assign(object_[field].text);
    } else {
      target.emplace(object_[field].text);
    }
  }
  template <typename Body>
  void assign_departments(Body& body) const {
    body.from.assign(object_[Field::from].text);
    body.to.assign(object_[Field::to].text);
  }
  /// The body as a `Body`, which it becomes (empty) if it held another type.
  template <typename Body>
  static Body& alternative(decltype(Event::body)& body) {
    if (!std::holds_alternative<Body>(body)) body.template emplace<Body>();
    return std::get<Body>(body);
  }
  static std::string path_of(Field field) { return "/" + std::string(detail::name_of(field)); }

  Timestamp time(Field field) {
    const std::string_view text = object_[field].text;
    if (const auto parsed = parse_rfc3339(text)) return *parsed;
    fail(DecodeErrc::invalid_time, path_of(field), "not an RFC 3339 date-time with offset: " + quoted_excerpt(text));
    return Timestamp{};
  }

  void plausible(Timestamp at) {
    if (auto problem = times_.problem(at)) {
      fail(DecodeErrc::implausible_time, "/occurred_at", *problem + ": " + quoted_excerpt(object_[Field::occurred_at].text));
    }
  }

  /// The value as an error shows it: quoted, and cut (on a character) when long.
  static std::string quoted_excerpt(std::string_view text) {
    constexpr std::size_t kShown = 40;
    std::size_t end = 0;
    for (std::size_t shown = 0; end < text.size() && shown < kShown; ++shown) {
      do {
        ++end;
      } while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80);
    }
    return "\"" + std::string(text.substr(0, end)) + (end < text.size() ? "...\"" : "\"");
  }

  void check_department(Field field) {
    if (has_control_character(object_[field].text)) {
      fail(DecodeErrc::invalid_department, path_of(field), "department id contains a control character");
    }
  }

  void departments_from_and_to() {
    check_department(Field::from);
    check_department(Field::to);
  }

  void distinct_departments() {
    if (object_[Field::from].text == object_[Field::to].text) {
      fail(DecodeErrc::same_department, "/to", "same department as from");
    }
  }

  static Outcome parse_outcome(std::string_view text) {
    if (text == "declined") return Outcome::declined;
    if (text == "redirected") return Outcome::redirected;
    return Outcome::resolved;
  }

  static Severity parse_severity(std::string_view text) {
    if (text == "high") return Severity::high;
    if (text == "stop") return Severity::stop;
    return Severity::low;
  }

  const detail::CapturedObject& object_;
  const PlausibleTimes& times_;
  std::optional<DecodeError> first_error_;
  Timestamp occurred_at_{};
  Timestamp due_at_{};
};

/// The envelope fields a CloudEvent carries as its own attributes, with their native names.
struct CloudEventAttribute {
  const char* cloud_name;
  const char* native_name;
};
constexpr std::array<CloudEventAttribute, 4> kCloudEventAttributes = {{
    {"id", "event_id"}, {"time", "occurred_at"}, {"source", "source"}, {"type", "type"}}};

/// Where a native field came from in the CloudEvent, so errors point into what the sender wrote.
std::string cloud_event_path(const std::string& native_path) {
  if (native_path.empty()) return native_path;
  const auto end = native_path.find('/', 1);
  const std::string field = native_path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
  for (const auto& attribute : kCloudEventAttributes) {
    if (field == attribute.native_name) return std::string("/") + attribute.cloud_name;
  }
  return "/data" + native_path;
}

}  // namespace

struct Decoder::Schemas {
  CompiledSchema envelope{"envelope.schema.json"};
  CompiledSchema cloud_event{"cloudevent.schema.json"};
  // Built from the envelope above (members are initialised in declaration order).
  std::array<CompiledSchema, 5> by_type{CompiledSchema::envelope_and(envelope.source, "request.schema.json"),
                                        CompiledSchema::envelope_and(envelope.source, "response.schema.json"),
                                        CompiledSchema::envelope_and(envelope.source, "handoff.schema.json"),
                                        CompiledSchema::envelope_and(envelope.source, "feedback.schema.json"),
                                        CompiledSchema::envelope_and(envelope.source, "andon.schema.json")};
  // The same schemas compiled into direct checks.
  detail::ObjectRules cloud_event_rules{cloud_event.source};
  std::array<detail::ObjectRules, 5> type_rules{detail::ObjectRules{by_type[0].source}, detail::ObjectRules{by_type[1].source},
                                                detail::ObjectRules{by_type[2].source}, detail::ObjectRules{by_type[3].source},
                                                detail::ObjectRules{by_type[4].source}};
};

Decoder::Decoder(SchemaCheck check, TimeBounds bounds)
    : schemas_(std::make_unique<const Schemas>()), check_(check), times_(std::make_unique<const detail::PlausibleTimes>(std::move(bounds))) {}

TimeBounds TimeBounds::none() {
  TimeBounds unbounded;
  unbounded.earliest = Timestamp::min();
  unbounded.latest_ahead = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::microseconds::max()) / 2;
  unbounded.now = [] { return Timestamp{}; };
  return unbounded;
}
Decoder::~Decoder() = default;

namespace {

using detail::CapturedObject;
using detail::Field;

std::optional<EventType> event_type_named(const detail::CapturedValue& type) {
  if (type.kind != detail::JsonKind::string) return std::nullopt;
  const auto known = std::find(kTypeNames.begin(), kTypeNames.end(), type.text);
  if (known == kTypeNames.end()) return std::nullopt;
  return static_cast<EventType>(known - kTypeNames.begin());
}

/// A member relmap reads given twice, in the event, its attrs or a CloudEvent's data: readers of the
/// topic, which keeps the record as it came, could each take another of the two.
std::optional<DecodeError> first_repeated_member(const Value& object, const std::string& path = "") {
  std::uint32_t fields_seen = 0;
  static_assert(detail::kFieldCount <= 32);
  for (const auto& member : object.GetObject()) {
    const std::string_view name{member.name.GetString(), member.name.GetStringLength()};
    const auto field = detail::field_named(name);
    if (!field) continue;
    const auto bit = std::uint32_t{1} << static_cast<unsigned>(*field);
    if ((fields_seen & bit) != 0) {
      return error(DecodeErrc::schema_violation, path + "/" + std::string(name), "given twice: name each member once");
    }
    fields_seen |= bit;
    if (!member.value.IsObject()) continue;
    if (*field == Field::data && path.empty()) {
      if (auto repeated = first_repeated_member(member.value, "/data")) return repeated;
    } else if (*field == Field::attrs) {
      std::unordered_set<std::string_view> attribute_names;
      for (const auto& attribute : member.value.GetObject()) {
        const std::string_view attribute_name{attribute.name.GetString(), attribute.name.GetStringLength()};
        if (!attribute_names.insert(attribute_name).second) {
          return error(DecodeErrc::schema_violation, path + "/attrs/" + std::string(attribute_name),
                       "given twice: name each member once");
        }
      }
    }
  }
  return std::nullopt;
}

/// Validates a native object against its type's schema (the envelope's alone when the type is
/// missing or unknown, which then explains why) and builds the Event.
Result<Event, DecodeError> decode_native(const Value& object, const PlausibleTimes& times, const CompiledSchema& envelope,
                                         const std::array<CompiledSchema, 5>& by_type) {
  detail::CapturedEvent captured;
  detail::EventCapture capture(captured);
  object.Accept(capture);
  const auto type = event_type_named(captured.top[Field::type]);
  if (!type) {
    if (auto violation = validate(envelope, object)) return std::move(*violation);
    throw std::logic_error("the envelope schema accepted an unknown event type");
  }
  if (auto violation = validate(by_type[static_cast<std::size_t>(*type)], object)) return std::move(*violation);
  return EventBuilder{captured.top, times}.build(*type);
}

/// Turns a valid CloudEvent's data into the native object it stands for, in place: the CloudEvents
/// attributes become the envelope (they win over same-named data members).
void map_cloud_event_onto_data(detail::CapturedEvent& cloud_event) {
  const CapturedObject& attributes = cloud_event.top;
  CapturedObject& native = cloud_event.data;
  native.set(Field::event_id, attributes[Field::id]);
  native.set(Field::occurred_at, attributes[Field::time]);
  native.set(Field::source, attributes[Field::source]);
  // "org.relmap.<type>.v1" -> "<type>"; the schema has checked the pattern.
  const std::string_view type = attributes[Field::type].text;
  native.set(Field::type, detail::CapturedValue::of_string(type.substr(11, type.size() - 11 - 3)));
  native.set(Field::v, detail::CapturedValue::of_integer(1));
  if (!native.has(Field::case_id)) native.set(Field::case_id, attributes[Field::subject]);
}

}  // namespace

Result<Event, DecodeError> Decoder::decode(std::string_view bytes) const {
  Event event;
  if (auto broken = decode_into(bytes, event)) return std::move(*broken);
  return event;
}

std::optional<DecodeError> Decoder::decode_into(std::string_view bytes, Event& event) const {
  if (bytes.size() > kMaxEventBytes) {
    return error(DecodeErrc::too_large, "",
                 "event is " + std::to_string(bytes.size()) + " bytes, over the 64 KiB limit");
  }
  if (check_ == SchemaCheck::compiled) {
    detail::CapturedEvent captured;
    if (const auto accepted = accept_compiled(bytes, captured)) {
      auto broken = EventBuilder{*accepted->object, *times_}.fill(accepted->type, event);
      if (accepted->is_cloud_event) {
        // Errors of a CloudEvent name the path the sender wrote.
        if (broken) broken->path = cloud_event_path(broken->path);
        event.from_cloud_event = !broken;
      }
      return broken;
    }
  }
  auto decoded = decode_with_validator(bytes);
  if (!decoded.has_value()) return std::move(decoded.error());
  event = std::move(decoded.value());
  return std::nullopt;
}

Result<CheckedEvent, DecodeError> Decoder::check(std::string_view bytes) const {
  if (bytes.size() <= kMaxEventBytes && check_ == SchemaCheck::compiled) {
    // The captured texts point into this thread's parser, which keeps them until its next record.
    detail::CapturedEvent captured;
    if (const auto accepted = accept_compiled(bytes, captured)) {
      const CapturedObject& object = *accepted->object;
      if (auto broken = EventBuilder{object, *times_}.check(accepted->type)) {
        if (accepted->is_cloud_event) broken->path = cloud_event_path(broken->path);
        return std::move(*broken);
      }
      std::optional<std::string_view> case_id;
      if (object.has(Field::case_id)) case_id = object[Field::case_id].text;
      return CheckedEvent{accepted->type, object[Field::event_id].text, case_id, object.has(Field::actor),
                          accepted->is_cloud_event};
    }
  }
  // Rejected (or a record only the validator decides): the Event, if any, is kept for the views.
  thread_local Event decided;
  if (auto invalid = decode_into(bytes, decided)) return std::move(*invalid);
  std::optional<std::string_view> case_id;
  if (decided.case_id) case_id = *decided.case_id;
  return CheckedEvent{decided.type(), decided.event_id, case_id, decided.actor.has_value(), decided.from_cloud_event};
}

std::optional<Decoder::Accepted> Decoder::accept_compiled(std::string_view bytes, detail::CapturedEvent& captured) const {
  if (!detail::capture_record(bytes, captured)) return std::nullopt;
  const bool is_cloud_event = captured.top.has(Field::specversion);
  if (is_cloud_event) {
    if (!schemas_->cloud_event_rules.accepts(captured.top)) return std::nullopt;
    map_cloud_event_onto_data(captured);
  }
  const CapturedObject& object = is_cloud_event ? captured.data : captured.top;
  const auto type = event_type_named(object[Field::type]);
  if (!type || !schemas_->type_rules[static_cast<std::size_t>(*type)].accepts(object)) return std::nullopt;
  return Accepted{&object, *type, is_cloud_event};
}

Result<Event, DecodeError> Decoder::decode_with_validator(std::string_view bytes) const {
  // The validator and the capture walk the document recursively: it must not be deeper than that
  // can go, nor than the quadratic cost of RapidJSON's schema checks with depth allows.
  const auto faults = find_json_text_faults(bytes, kMaxEventDepth);
  if (faults.too_deep_at) {
    return error(DecodeErrc::invalid_json, "",
                 "nested deeper than " + std::to_string(kMaxEventDepth) + " levels (at byte " +
                     std::to_string(*faults.too_deep_at) + ")");
  }
  // Events are small: the document's memory comes from the stack unless one is unusually large.
  char value_buffer[16384];
  rapidjson::MemoryPoolAllocator<> value_allocator(value_buffer, sizeof value_buffer);
  const auto lone_surrogate = [&] {
    return error(DecodeErrc::invalid_utf8, "",
                 "\"" + std::string(bytes.substr(*faults.lone_surrogate_at, 6)) +
                     "\" is half of a UTF-16 surrogate pair, not a character (at byte " +
                     std::to_string(*faults.lone_surrogate_at) + ")");
  };
  Document document(&value_allocator);
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(bytes.data(), bytes.size());
  if (document.HasParseError()) {
    // Checked only on failure, so valid events pay nothing; it also finds bad bytes outside strings.
    if (const auto invalid_at = first_invalid_utf8(bytes)) {
      return error(DecodeErrc::invalid_utf8, "", "not valid UTF-8 at byte " + std::to_string(*invalid_at));
    }
    if (faults.lone_surrogate_at) return lone_surrogate();
    return error(DecodeErrc::invalid_json, "",
                 std::string("not valid JSON: ") + rapidjson::GetParseError_En(document.GetParseError()) +
                     " (at byte " + std::to_string(document.GetErrorOffset()) + ")");
  }
  if (faults.lone_surrogate_at) return lone_surrogate();
  if (!document.IsObject()) return error(DecodeErrc::not_an_object, "", "not a JSON object");
  if (auto repeated = first_repeated_member(document)) return std::move(*repeated);
  if (!document.HasMember("specversion")) return decode_native(document, *times_, schemas_->envelope, schemas_->by_type);

  if (auto violation = validate(schemas_->cloud_event, document)) {
    violation->code = DecodeErrc::invalid_cloudevent;
    return std::move(*violation);
  }
  // Map the CloudEvent onto a native object; CloudEvents attributes win over same-named data fields.
  Document native(rapidjson::kObjectType);
  auto& allocator = native.GetAllocator();
  for (const auto& field : document["data"].GetObject()) {
    const std::string_view name{field.name.GetString(), field.name.GetStringLength()};
    const bool is_attribute = name == "v" || std::any_of(kCloudEventAttributes.begin(), kCloudEventAttributes.end(),
                                                          [&](const auto& a) { return name == a.native_name; });
    if (!is_attribute) native.AddMember(Value(field.name, allocator), Value(field.value, allocator), allocator);
  }
  for (const auto& attribute : kCloudEventAttributes) {
    native.AddMember(Value(attribute.native_name, allocator), Value(document[attribute.cloud_name], allocator), allocator);
  }
  // "org.relmap.<type>.v1" -> "<type>"; the schema has checked the pattern.
  std::string type = native["type"].GetString();
  type = type.substr(11, type.size() - 11 - 3);
  native["type"].SetString(type.c_str(), static_cast<rapidjson::SizeType>(type.size()), allocator);
  native.AddMember("v", 1, allocator);
  if (!native.HasMember("case_id") && document.HasMember("subject")) {
    native.AddMember("case_id", Value(document["subject"], allocator), allocator);
  }
  auto decoded = decode_native(native, *times_, schemas_->envelope, schemas_->by_type);
  if (decoded.has_value()) {
    decoded.value().from_cloud_event = true;
  } else {
    decoded.error().path = cloud_event_path(decoded.error().path);
  }
  return decoded;
}

std::string_view to_string(DecodeErrc code) {
  switch (code) {
    case DecodeErrc::too_large: return "too_large";
    case DecodeErrc::invalid_utf8: return "invalid_utf8";
    case DecodeErrc::invalid_json: return "invalid_json";
    case DecodeErrc::not_an_object: return "not_an_object";
    case DecodeErrc::schema_violation: return "schema_violation";
    case DecodeErrc::unknown_type: return "unknown_type";
    case DecodeErrc::unsupported_version: return "unsupported_version";
    case DecodeErrc::invalid_time: return "invalid_time";
    case DecodeErrc::invalid_department: return "invalid_department";
    case DecodeErrc::same_department: return "same_department";
    case DecodeErrc::invalid_cloudevent: return "invalid_cloudevent";
    case DecodeErrc::implausible_time: return "implausible_time";
  }
  return "unknown";
}

std::string DecodeError::to_string() const { return path.empty() ? message : path + ": " + message; }

std::string_view schema_text(std::string_view file_name) {
  for (const auto& schema : detail::embedded_schemas()) {
    if (schema.file_name == file_name) return schema.text;
  }
  throw std::invalid_argument("no embedded schema named " + std::string(file_name));
}

}  // namespace relmap::schemas
