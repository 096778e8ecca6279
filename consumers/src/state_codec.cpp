#include "relmap/consumer/state_codec.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace relmap::consumer {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using rapidjson::Value;

void put(Writer& writer, const char* key, const std::string& value) {
  writer.Key(key);
  writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}
void put(Writer& writer, const char* key, Timestamp value) {
  writer.Key(key);
  writer.Int64(value.time_since_epoch().count());
}
void put(Writer& writer, const char* key, bool value) {
  writer.Key(key);
  writer.Bool(value);
}
void put(Writer& writer, const char* key, std::uint64_t value) {
  writer.Key(key);
  writer.Uint64(value);
}
void put_strings(Writer& writer, const char* key, const std::set<std::string>& values) {
  writer.Key(key);
  writer.StartArray();
  for (const auto& value : values) writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  writer.EndArray();
}

std::string finish(rapidjson::StringBuffer& buffer) { return {buffer.GetString(), buffer.GetSize()}; }

/// Reading with checks: any missing or mistyped member makes the whole record unreadable.
class Reader {
 public:
  explicit Reader(const Value& object) : object_(object), ok_(object.IsObject()) {}
  bool ok() const { return ok_; }
  const Value* member(const char* key) {
    if (!ok_) return nullptr;
    const auto found = object_.FindMember(key);
    if (found == object_.MemberEnd()) return nullptr;
    return &found->value;
  }
  std::string string(const char* key) {
    const Value* value = member(key);
    if (value == nullptr || !value->IsString()) return fail(std::string{});
    return {value->GetString(), value->GetStringLength()};
  }
  Timestamp time(const char* key) {
    const Value* value = member(key);
    if (value == nullptr || !value->IsInt64()) return fail(Timestamp{});
    return Timestamp{std::chrono::microseconds{value->GetInt64()}};
  }
  bool boolean(const char* key) {
    const Value* value = member(key);
    if (value == nullptr || !value->IsBool()) return fail(false);
    return value->GetBool();
  }
  std::uint64_t count(const char* key) {
    const Value* value = member(key);
    if (value == nullptr || !value->IsUint64()) return fail(std::uint64_t{0});
    return value->GetUint64();
  }
  const Value& array(const char* key) {
    static const Value empty(rapidjson::kArrayType);
    const Value* value = member(key);
    if (value == nullptr || !value->IsArray()) return fail(std::cref(empty)).get();
    return *value;
  }
  std::set<std::string> strings(const char* key) {
    std::set<std::string> values;
    for (const auto& value : array(key).GetArray()) {
      if (!value.IsString()) return fail(std::set<std::string>{});
      values.emplace(value.GetString(), value.GetStringLength());
    }
    return values;
  }

 private:
  template <typename T>
  T fail(T value) {
    ok_ = false;
    return value;
  }
  const Value& object_;
  bool ok_;
};

std::optional<schemas::Outcome> outcome_from(std::string_view name) {
  if (name == "resolved") return schemas::Outcome::resolved;
  if (name == "declined") return schemas::Outcome::declined;
  if (name == "redirected") return schemas::Outcome::redirected;
  return std::nullopt;
}

}  // namespace

std::string encode_case_state(const CaseState& state) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  put_strings(writer, "ids", state.event_ids);
  put_strings(writer, "departments", state.departments);
  put(writer, "last", state.last_event);
  writer.Key("requests");
  writer.StartArray();
  for (const auto& [id, request] : state.requests) {
    writer.StartObject();
    put(writer, "id", id);
    put(writer, "seen", request.seen);
    if (request.seen) {
      put(writer, "from", request.from);
      put(writer, "to", request.to);
      put(writer, "at", request.asked_at);
      put(writer, "due", request.due_at);
    }
    if (request.answered) {
      put(writer, "outcome", std::string(schemas::to_string(request.outcome)));
      put(writer, "answered_at", request.answered_at);
      put(writer, "answer_id", request.answer_event_id);
    }
    writer.Key("waiting");
    writer.StartArray();
    for (const auto& response : request.waiting) {
      const std::string json = schemas::to_json(response);
      writer.String(json.c_str(), static_cast<rapidjson::SizeType>(json.size()));
    }
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("handoffs");
  writer.StartArray();
  for (const auto& handoff : state.handoffs) {
    writer.StartObject();
    put(writer, "at", handoff.at);
    put(writer, "id", handoff.event_id);
    put(writer, "from", handoff.from);
    put(writer, "to", handoff.to);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("feedback");
  writer.StartArray();
  for (const auto& feedback : state.feedback) {
    writer.StartObject();
    put(writer, "at", feedback.at);
    put(writer, "id", feedback.event_id);
    put(writer, "solved", feedback.solved);
    if (feedback.about) put(writer, "about", *feedback.about);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("andons");
  writer.StartArray();
  for (const auto& andon : state.andons) {
    writer.StartObject();
    put(writer, "at", andon.at);
    put(writer, "from", andon.from);
    put(writer, "about", andon.about);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return finish(buffer);
}

std::optional<CaseState> decode_case_state(std::string_view json, const schemas::Decoder& decoder) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) return std::nullopt;
  Reader root(document);
  CaseState state;
  state.event_ids = root.strings("ids");
  state.departments = root.strings("departments");
  state.last_event = root.time("last");
  for (const auto& value : root.array("requests").GetArray()) {
    Reader entry(value);
    RequestState request;
    const std::string id = entry.string("id");
    request.seen = entry.boolean("seen");
    if (request.seen) {
      request.from = entry.string("from");
      request.to = entry.string("to");
      request.asked_at = entry.time("at");
      request.due_at = entry.time("due");
    }
    if (entry.member("outcome") != nullptr) {
      const auto outcome = outcome_from(entry.string("outcome"));
      if (!outcome) return std::nullopt;
      request.answered = true;
      request.outcome = *outcome;
      request.answered_at = entry.time("answered_at");
      request.answer_event_id = entry.string("answer_id");
    }
    for (const auto& waiting : entry.array("waiting").GetArray()) {
      if (!waiting.IsString()) return std::nullopt;
      auto response = decoder.decode({waiting.GetString(), waiting.GetStringLength()});
      if (!response.has_value()) return std::nullopt;
      request.waiting.push_back(std::move(response).value());
    }
    if (!entry.ok()) return std::nullopt;
    state.requests.emplace(id, std::move(request));
  }
  for (const auto& value : root.array("handoffs").GetArray()) {
    Reader entry(value);
    state.handoffs.push_back({entry.time("at"), entry.string("id"), entry.string("from"), entry.string("to")});
    if (!entry.ok()) return std::nullopt;
  }
  for (const auto& value : root.array("feedback").GetArray()) {
    Reader entry(value);
    FeedbackRecord feedback{entry.time("at"), entry.string("id"), entry.boolean("solved"), std::nullopt};
    if (entry.member("about") != nullptr) feedback.about = entry.string("about");
    if (!entry.ok()) return std::nullopt;
    state.feedback.push_back(std::move(feedback));
  }
  for (const auto& value : root.array("andons").GetArray()) {
    Reader entry(value);
    state.andons.push_back({entry.time("at"), entry.string("from"), entry.string("about")});
    if (!entry.ok()) return std::nullopt;
  }
  if (!root.ok()) return std::nullopt;
  return state;
}

std::string encode_case_facts(const CaseFacts& facts) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  put_strings(writer, "departments", facts.departments);
  writer.Key("requests");
  writer.StartArray();
  for (const auto& request : facts.requests) {
    writer.StartObject();
    put(writer, "from", request.from);
    put(writer, "to", request.to);
    put(writer, "at", request.asked_at);
    put(writer, "due", request.due_at);
    if (request.outcome) {
      put(writer, "outcome", std::string(schemas::to_string(*request.outcome)));
      put(writer, "answered_at", request.answered_at);
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("handoffs");
  writer.StartArray();
  for (const auto& handoff : facts.handoffs) {
    writer.StartObject();
    put(writer, "from", handoff.from);
    put(writer, "to", handoff.to);
    put(writer, "at", handoff.at);
    put(writer, "ping_pong", handoff.ping_pong);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("feedback");
  writer.StartArray();
  for (const auto& feedback : facts.feedback) {
    writer.StartObject();
    put(writer, "about", feedback.about);
    put(writer, "at", feedback.at);
    put(writer, "solved", feedback.solved);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("andons");
  writer.StartArray();
  for (const auto& andon : facts.andons) {
    writer.StartObject();
    put(writer, "from", andon.from);
    put(writer, "about", andon.about);
    put(writer, "at", andon.at);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return finish(buffer);
}

std::optional<CaseFacts> decode_case_facts(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) return std::nullopt;
  Reader root(document);
  CaseFacts facts;
  facts.departments = root.strings("departments");
  for (const auto& value : root.array("requests").GetArray()) {
    Reader entry(value);
    CaseFacts::Request request{entry.string("from"), entry.string("to"), entry.time("at"), entry.time("due"),
                               std::nullopt, Timestamp{}};
    if (entry.member("outcome") != nullptr) {
      request.outcome = outcome_from(entry.string("outcome"));
      if (!request.outcome) return std::nullopt;
      request.answered_at = entry.time("answered_at");
    }
    if (!entry.ok()) return std::nullopt;
    facts.requests.push_back(std::move(request));
  }
  for (const auto& value : root.array("handoffs").GetArray()) {
    Reader entry(value);
    facts.handoffs.push_back({entry.string("from"), entry.string("to"), entry.time("at"), entry.boolean("ping_pong")});
    if (!entry.ok()) return std::nullopt;
  }
  for (const auto& value : root.array("feedback").GetArray()) {
    Reader entry(value);
    facts.feedback.push_back({entry.string("about"), entry.time("at"), entry.boolean("solved")});
    if (!entry.ok()) return std::nullopt;
  }
  for (const auto& value : root.array("andons").GetArray()) {
    Reader entry(value);
    facts.andons.push_back({entry.time("at"), entry.string("from"), entry.string("about")});
    if (!entry.ok()) return std::nullopt;
  }
  if (!root.ok()) return std::nullopt;
  return facts;
}

std::string encode_totals(const PartitionTotals& totals) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  put(writer, "events", totals.totals.events);
  put(writer, "duplicates", totals.totals.duplicates);
  put(writer, "rejected", totals.totals.rejected);
  put(writer, "cases", totals.totals.cases);
  if (totals.watermark) put(writer, "watermark", *totals.watermark);
  writer.EndObject();
  return finish(buffer);
}

std::optional<PartitionTotals> decode_totals(std::string_view json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) return std::nullopt;
  Reader root(document);
  PartitionTotals totals;
  totals.totals.events = root.count("events");
  totals.totals.duplicates = root.count("duplicates");
  totals.totals.rejected = root.count("rejected");
  totals.totals.cases = root.count("cases");
  if (root.member("watermark") != nullptr) totals.watermark = root.time("watermark");
  if (!root.ok()) return std::nullopt;
  return totals;
}

}  // namespace relmap::consumer
