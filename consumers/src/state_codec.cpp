#include "relmap/consumer/state_codec.hpp"

#include <rapidjson/document.h>

#include "relmap/common/json_writer.hpp"

namespace relmap::consumer {
namespace {

using rapidjson::Value;

/// Times in the topics: integer microseconds since the epoch.
std::int64_t micros(Timestamp at) { return at.time_since_epoch().count(); }

/// Andons are the same in a case's state and in its facts.
void write_andons(JsonWriter& json, const std::vector<AndonRecord>& andons) {
  json.objects("andons", andons, [&](const auto& andon) {
    json.field("at", micros(andon.at));
    json.field("from", andon.from);
    json.field("about", andon.about);
  });
}

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
  /// Empty when absent.
  std::string optional_string(const char* key) {
    const Value* value = member(key);
    if (value == nullptr) return {};
    if (!value->IsString()) return fail(std::string{});
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
  DepartmentSet strings(const char* key) {
    DepartmentSet values;
    for (const auto& value : array(key).GetArray()) {
      if (!value.IsString()) return fail(DepartmentSet{});
      values.emplace(value.GetString(), value.GetStringLength());
    }
    return values;
  }
  EventIdHashes hashes(const char* key) {
    EventIdHashes values;
    for (const auto& value : array(key).GetArray()) {
      if (!value.IsUint64()) return fail(EventIdHashes{});
      values.insert(value.GetUint64());
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
  JsonWriter json;
  json.start_object();
  json.values("id_hashes", state.event_ids);
  json.values("departments", state.departments);
  json.field("last", micros(state.last_event));
  json.objects("requests", state.requests, [&](const auto& entry) {
    const auto& [id, request] = entry;
    json.field("id", id);
    json.field("seen", request.seen);
    if (request.seen) {
      json.field("from", request.from);
      json.field("to", request.to);
      if (!request.topic.empty()) json.field("topic", request.topic);
      json.field("at", micros(request.asked_at));
      json.field("due", micros(request.due_at));
    }
    if (request.answered) {
      json.field("outcome", schemas::to_string(request.outcome));
      json.field("answered_at", micros(request.answered_at));
      json.field("answer_id", request.answer_event_id);
    }
    json.key("waiting");
    json.start_array();
    for (const auto& response : request.waiting) json.value(schemas::to_json(response));
    json.end_array();
  });
  json.objects("handoffs", state.handoffs, [&](const auto& handoff) {
    json.field("at", micros(handoff.at));
    json.field("id", handoff.event_id);
    json.field("from", handoff.from);
    json.field("to", handoff.to);
  });
  json.objects("feedback", state.feedback, [&](const auto& feedback) {
    json.field("at", micros(feedback.at));
    json.field("id", feedback.event_id);
    json.field("solved", feedback.solved);
    json.field_if_set("about", feedback.about);
  });
  write_andons(json, state.andons);
  json.end_object();
  return json.str();
}

std::optional<CaseState> decode_case_state(std::string_view json, const schemas::Decoder& decoder) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) return std::nullopt;
  Reader root(document);
  CaseState state;
  state.event_ids = root.hashes("id_hashes");
  for (const auto& name : root.strings("departments")) state.departments.emplace_hint(state.departments.end(), name);
  state.last_event = root.time("last");
  for (const auto& value : root.array("requests").GetArray()) {
    Reader entry(value);
    RequestState request;
    const std::string id = entry.string("id");
    request.seen = entry.boolean("seen");
    if (request.seen) {
      request.from = DepartmentName(entry.string("from"));
      request.to = DepartmentName(entry.string("to"));
      request.topic = entry.optional_string("topic");
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
    state.handoffs.push_back(
        {entry.time("at"), entry.string("id"), DepartmentName(entry.string("from")), DepartmentName(entry.string("to"))});
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
  JsonWriter json;
  json.start_object();
  json.values("departments", facts.departments);
  json.objects("requests", facts.requests, [&](const auto& request) {
    json.field("from", request.from);
    json.field("to", request.to);
    if (!request.topic.empty()) json.field("topic", request.topic);
    json.field("at", micros(request.asked_at));
    json.field("due", micros(request.due_at));
    if (request.outcome) {
      json.field("outcome", schemas::to_string(*request.outcome));
      json.field("answered_at", micros(request.answered_at));
    }
  });
  json.objects("handoffs", facts.handoffs, [&](const auto& handoff) {
    json.field("from", handoff.from);
    json.field("to", handoff.to);
    json.field("at", micros(handoff.at));
    json.field("ping_pong", handoff.ping_pong);
  });
  json.objects("feedback", facts.feedback, [&](const auto& feedback) {
    json.field("about", feedback.about);
    json.field("at", micros(feedback.at));
    json.field("solved", feedback.solved);
  });
  write_andons(json, facts.andons);
  json.end_object();
  return json.str();
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
    CaseFacts::Request request{entry.string("from"), entry.string("to"), entry.optional_string("topic"),
                               entry.time("at"), entry.time("due"), std::nullopt, Timestamp{}};
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
  JsonWriter json;
  json.start_object();
  json.field("events", totals.totals.events);
  json.field("duplicates", totals.totals.duplicates);
  json.field("rejected", totals.totals.rejected);
  json.field("cases", totals.totals.cases);
  if (totals.watermark) json.field("watermark", micros(*totals.watermark));
  json.end_object();
  return json.str();
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
