// The compiled schema checks (the decoder's fast path) against RapidJSON's schema validator (the
// reference): for every corpus record and thousands of variants of the valid ones (each member
// removed, given another value of every kind, repeated, nested), both must give the same event or
// the same rejection, reason included; and decoding into one reused Event must give what decode() gives.
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../../support/event_corpus.hpp"
#include "captured_event.hpp"
#include "object_rules.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::schemas {
namespace {

using testing::compact;
using testing::corpus_lines;

/// "accepted <canonical JSON>" or "<code>: <reason>": what a decoder made of a record.
std::string verdict(const Decoder& decoder, const std::string& record) {
  const auto decoded = decoder.decode(record);
  if (decoded.has_value()) return "accepted " + to_json(decoded.value());
  return std::string(to_string(decoded.error().code)) + ": " + decoded.error().to_string();
}

/// The same, with what to_json leaves out, for an event decoded into `reused` (one Event refilled for
/// every record, as relmap aggregate decodes): nothing of an earlier record may stay in it.
std::string full_verdict(const Event& event) {
  const auto* request = std::get_if<Request>(&event.body);
  return "accepted " + to_json(event) + (event.from_cloud_event ? " cloud" : "") +
         (request && request->due_at_given ? " due_at given" : "");
}
std::string verdict_into(const Decoder& decoder, const std::string& record, Event& reused) {
  if (const auto invalid = decoder.decode_into(record, reused)) {
    return std::string(to_string(invalid->code)) + ": " + invalid->to_string();
  }
  return full_verdict(reused);
}
std::string fresh_verdict(const Decoder& decoder, const std::string& record) {
  const auto decoded = decoder.decode(record);
  if (decoded.has_value()) return full_verdict(decoded.value());
  return std::string(to_string(decoded.error().code)) + ": " + decoded.error().to_string();
}

std::string summary(EventType type, std::string_view event_id, std::optional<std::string_view> case_id, bool actor,
                    bool cloud) {
  return "accepted " + std::string(to_string(type)) + " " + std::string(event_id) + " " +
         std::string(case_id.value_or("-")) + (actor ? " actor" : "") + (cloud ? " cloud" : "");
}

std::string error_text(const DecodeError& error) { return std::string(to_string(error.code)) + ": " + error.to_string(); }

/// decode()'s verdict as far as check() gives it...
std::string decoded_summary(const Decoder& decoder, const std::string& record) {
  const auto decoded = decoder.decode(record);
  if (!decoded.has_value()) return error_text(decoded.error());
  const Event& event = decoded.value();
  std::optional<std::string_view> case_id;
  if (event.case_id) case_id = *event.case_id;
  return summary(event.type(), event.event_id, case_id, event.actor.has_value(), event.from_cloud_event);
}

/// ... and check()'s, which must be the same.
std::string checked_summary(const Decoder& decoder, const std::string& record) {
  const auto checked = decoder.check(record);
  if (!checked.has_value()) return error_text(checked.error());
  const CheckedEvent& event = checked.value();
  return summary(event.type, event.event_id, event.case_id, event.names_actor, event.from_cloud_event);
}

/// Every record of the corpus: valid inputs, their canonical forms, and the invalid records.
std::vector<std::string> corpus_records() {
  std::vector<std::string> records;
  for (const auto& line : corpus_lines("valid.jsonl")) {
    rapidjson::Document document;
    document.Parse(line.c_str());
    records.push_back(compact(document["input"]));
    records.push_back(compact(document["expect"]));
  }
  for (const auto& record : testing::invalid_records()) records.push_back(record.raw);
  return records;
}

/// Values of every JSON kind and of the lengths, enums and formats the schemas care about.
std::vector<std::string> replacement_values() {
  std::vector<std::string> values = {
      "null", "true", "false", "0", "1", "2", "-1", "1.0", "1e400", "18446744073709551615", "9223372036854775808",
      R"("")", R"("x")", R"("1")", R"("1.0")", "[]", R"(["request"])", "{}", R"({"a":"b"})", R"({"a":1})",
      R"({"a":{"b":"c"}})", R"("request")", R"("response")", R"("handoff")", R"("feedback")", R"("andon")",
      R"("org.relmap.handoff.v1")", R"("org.relmap.nope.v1")", R"("resolved")", R"("declined")", R"("redirected")",
      R"("high")", R"("stop")", R"("2026-03-02T09:15:00Z")", R"("2026-03-02T09:15:00+02:00")", R"("2026-02-30T00:00:00Z")",
      R"("application/json")", R"("Billing")", R"("Sales")", R"("a\u0001b")", R"("\u0000")", R"("\ud83d\ude00")",
      R"("\udc00")", R"("caf\u00e9")"};
  for (const std::size_t length : {127u, 128u, 129u, 256u, 257u}) {
    values.push_back("\"" + std::string(length, 'x') + "\"");
    std::string accented;  // two bytes a code point: a byte count would be twice the length
    for (std::size_t i = 0; i < length; ++i) accented += "\xc3\xa9";
    values.push_back("\"" + accented + "\"");
  }
  return values;
}

/// Variants of one valid record: each member (of the event, of a CloudEvent's data, of attrs)
/// removed, replaced by each value, given twice; and new members.
std::vector<std::string> variants_of(const std::string& record) {
  std::vector<std::string> variants;
  const auto values = replacement_values();
  rapidjson::Document original;
  original.Parse(record.c_str());

  const auto each_object = [&](auto&& visit) {
    // The event itself, then data and attrs wherever they are objects.
    visit([](rapidjson::Value& root) -> rapidjson::Value* { return &root; });
    for (const char* nested : {"data", "attrs"}) {
      visit([nested](rapidjson::Value& root) -> rapidjson::Value* {
        const auto found = root.FindMember(nested);
        return found != root.MemberEnd() && found->value.IsObject() ? &found->value : nullptr;
      });
    }
    visit([](rapidjson::Value& root) -> rapidjson::Value* {
      const auto data = root.FindMember("data");
      if (data == root.MemberEnd() || !data->value.IsObject()) return nullptr;
      const auto attrs = data->value.FindMember("attrs");
      return attrs != data->value.MemberEnd() && attrs->value.IsObject() ? &attrs->value : nullptr;
    });
  };

  each_object([&](auto&& locate) {
    rapidjson::Document probe;
    probe.CopyFrom(original, probe.GetAllocator());
    rapidjson::Value* object = locate(probe);
    if (object == nullptr) return;
    std::vector<std::string> names;
    for (const auto& member : object->GetObject()) names.emplace_back(member.name.GetString());
    names.emplace_back("specversion");  // members an event may lack, given each value too
    names.emplace_back("due_at");
    names.emplace_back("redirect_to");
    for (const auto& name : names) {
      {
        rapidjson::Document copy;
        copy.CopyFrom(original, copy.GetAllocator());
        locate(copy)->RemoveMember(name.c_str());
        variants.push_back(compact(copy));
      }
      for (const auto& value : values) {
        rapidjson::Document replacement;
        replacement.Parse(value.c_str());
        for (const bool repeat : {false, true}) {
          rapidjson::Document copy;
          copy.CopyFrom(original, copy.GetAllocator());
          rapidjson::Value* target = locate(copy);
          if (!repeat) target->RemoveMember(name.c_str());
          target->AddMember(rapidjson::Value(name.c_str(), copy.GetAllocator()),
                            rapidjson::Value(replacement, copy.GetAllocator()), copy.GetAllocator());
          variants.push_back(compact(copy));
        }
      }
    }
  });
  return variants;
}

TEST(CompiledChecks, AgreeWithTheSchemaValidatorOnTheCorpusAndCheckWithDecode) {
  const Decoder compiled{testing::corpus_time_bounds()};
  const Decoder reference(Decoder::SchemaCheck::validator_only, testing::corpus_time_bounds());
  Event reused;
  for (const auto& record : corpus_records()) {
    EXPECT_EQ(verdict(compiled, record), verdict(reference, record)) << record;
    EXPECT_EQ(verdict_into(compiled, record, reused), fresh_verdict(compiled, record)) << record;
    EXPECT_EQ(checked_summary(compiled, record), decoded_summary(compiled, record)) << record;
    EXPECT_EQ(checked_summary(reference, record), decoded_summary(reference, record)) << record;
  }
}

TEST(CompiledChecks, AgreeWithTheSchemaValidatorAndCheckAndDecodeIntoWithDecodeOnVariantsOfEveryValidEvent) {
  const Decoder compiled{testing::corpus_time_bounds()};
  const Decoder reference(Decoder::SchemaCheck::validator_only, testing::corpus_time_bounds());
  std::size_t compared = 0;
  std::size_t accepted = 0;
  Event reused;
  for (const auto& line : corpus_lines("valid.jsonl")) {
    rapidjson::Document document;
    document.Parse(line.c_str());
    for (const auto& variant : variants_of(compact(document["input"]))) {
      const auto expected = verdict(reference, variant);
      ASSERT_EQ(verdict(compiled, variant), expected) << variant;
      ASSERT_EQ(checked_summary(compiled, variant), decoded_summary(compiled, variant)) << variant;
      ASSERT_EQ(verdict_into(compiled, variant, reused), fresh_verdict(compiled, variant)) << variant;
      ++compared;
      accepted += expected.rfind("accepted", 0) == 0 ? 1 : 0;
    }
  }
  // Enough of both outcomes that the comparison means something.
  EXPECT_GT(compared, 20000u);
  EXPECT_GT(accepted, 2000u);
  EXPECT_GT(compared - accepted, 10000u);
}

TEST(CompiledChecks, RefuseASchemaKeywordTheyDoNotImplement) {
  rapidjson::Document schema;
  schema.Parse(R"({"type":"object","properties":{"event_id":{"type":"string","pattern":"^e"}}})");
  EXPECT_THROW(detail::ObjectRules{schema}, std::logic_error);
  schema.Parse(R"({"type":"object","properties":{"no_such_member":{"type":"string"}}})");
  EXPECT_THROW(detail::ObjectRules{schema}, std::logic_error);
  schema.Parse(R"({"type":"object","additionalProperties":false})");
  EXPECT_THROW(detail::ObjectRules{schema}, std::logic_error);
  schema.Parse(R"({"type":"object","required":["event_id"],"properties":{"event_id":{"type":"string","maxLength":3}}})");
  EXPECT_NO_THROW(detail::ObjectRules{schema});
}

// Member names are compared as packed words: each name must be found, and no key that differs from
// it in one byte, in length, or only after a NUL byte.
TEST(CapturedMembers, FindEveryContractNameAndNothingElse) {
  using detail::Field;
  using detail::field_named;
  using detail::name_of;
  for (std::size_t i = 0; i < detail::kFieldCount; ++i) {
    const auto field = static_cast<Field>(i);
    const std::string name{name_of(field)};
    ASSERT_EQ(field_named(name), field) << name;
    for (std::size_t at = 0; at < name.size(); ++at) {
      for (const char other : {'\0', 'A', '_', '\xff', static_cast<char>(name[at] ^ 1)}) {
        std::string changed = name;
        changed[at] = other;
        if (changed == name) continue;
        EXPECT_EQ(field_named(changed), std::nullopt) << name << " with byte " << at << " changed";
      }
    }
    EXPECT_EQ(field_named(name.substr(0, name.size() - 1)), std::nullopt) << name;
    EXPECT_EQ(field_named(name + 's'), std::nullopt) << name;
    EXPECT_EQ(field_named(name + std::string(1, '\0')), std::nullopt) << name;
    EXPECT_EQ(field_named(std::string(1, '\0') + name.substr(1)), std::nullopt) << name;
  }
  EXPECT_EQ(field_named(""), std::nullopt);
  EXPECT_EQ(field_named("datacontenttypes"), std::nullopt);
  EXPECT_EQ(field_named("Type"), std::nullopt);
}

}  // namespace
}  // namespace relmap::schemas
