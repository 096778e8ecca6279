#include "relmap/schemas/decoder.hpp"

#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

namespace relmap::schemas {
namespace {

constexpr std::string_view kRequest =
    R"({"event_id":"e1","type":"request","v":1,"occurred_at":"2026-03-02T09:15:00Z","case_id":"C1",)"
    R"("source":"jira","from":"Sales","to":"Legal"})";

TEST(Decoder, DecodesATypedRequestWithDefaults) {
  const Decoder decoder;
  const auto decoded = decoder.decode(kRequest);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  const Event& event = decoded.value();
  EXPECT_EQ(event.type(), EventType::request);
  const auto& request = std::get<Request>(event.body);
  EXPECT_EQ(request.from, "Sales");
  EXPECT_EQ(request.to, "Legal");
  EXPECT_EQ(request.request_id, "e1");
  EXPECT_FALSE(request.due_at_given);
  EXPECT_EQ(request.due_at - event.occurred_at, std::chrono::hours{72});
}

TEST(Decoder, RejectsAnEventOverTheSizeLimit) {
  const Decoder decoder;
  std::string padded{kRequest};
  padded.insert(padded.size() - 1, R"(,"padding":")" + std::string(kMaxEventBytes, 'x') + "\"");
  const auto decoded = decoder.decode(padded);
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error().code, DecodeErrc::too_large);
  EXPECT_EQ(decoded.error().to_string(), "event is " + std::to_string(padded.size()) + " bytes, over the 64 KiB limit");
}

TEST(Decoder, AcceptsAnEventOfExactlyTheSizeLimit) {
  const Decoder decoder;
  std::string padded{kRequest};
  const std::string prefix = R"(,"padding":")";
  padded.insert(padded.size() - 1, prefix + std::string(kMaxEventBytes - padded.size() - prefix.size() - 1, 'x') + "\"");
  ASSERT_EQ(padded.size(), kMaxEventBytes);
  EXPECT_TRUE(decoder.decode(padded).has_value());
}

TEST(Decoder, IsSafeToShareBetweenThreads) {
  const Decoder decoder;
  std::atomic<int> decoded{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) decoded += decoder.decode(kRequest).has_value() ? 1 : 0;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(decoded.load(), 2000);
}

TEST(Decoder, ShipsEverySchemaFile) {
  for (const char* name : {"envelope.schema.json", "request.schema.json", "response.schema.json",
                           "handoff.schema.json", "feedback.schema.json", "andon.schema.json",
                           "cloudevent.schema.json"}) {
    EXPECT_NE(schema_text(name).find("\"$schema\""), std::string_view::npos) << name;
  }
}

// RapidJSON's SSE2 writer wrote 0x1A to 0x1F raw inside strings of 16 bytes or more: a valid
// CloudEvent was then published as invalid JSON, which the aggregator refused.
TEST(Decoder, ACloudEventWithControlCharactersIsWrittenAsJsonThatDecodesToTheSameEvent) {
  const Decoder decoder;
  for (int c = 0; c < 0x20; ++c) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
    const std::string reason = std::string("declined: not ours, ask ") + escaped + "the other team";
    const std::string cloud_event =
        R"({"specversion":"1.0","id":"e1","source":"jira","type":"org.relmap.handoff.v1","time":"2026-03-02T09:15:00Z",)"
        R"("subject":"C1","data":{"from":"Sales","to":"Legal","reason":")" + reason + R"("}})";
    const auto decoded = decoder.decode(cloud_event);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
    const std::string written = to_json(decoded.value());
    const auto read_back = decoder.decode(written);
    ASSERT_TRUE(read_back.has_value()) << "control character " << c << ": " << read_back.error().to_string();
    EXPECT_EQ(std::get<Handoff>(read_back.value().body).reason, std::get<Handoff>(decoded.value().body).reason);
    EXPECT_EQ(to_json(read_back.value()), written);
  }
}

TEST(Decoder, RefusesALoneSurrogateEscapeInsteadOfDecodingItToBytesThatAreNotUtf8) {
  const Decoder decoder;
  for (const std::string_view escape : {R"(\udc00)", R"(\ud800)", R"(\ud800x)", R"(\udbff\u0041)"}) {
    std::string record{kRequest};
    record.insert(record.find("Legal"), escape);
    const auto decoded = decoder.decode(record);
    ASSERT_FALSE(decoded.has_value()) << escape;
    EXPECT_EQ(decoded.error().code, DecodeErrc::invalid_utf8) << escape;
    EXPECT_NE(decoded.error().message.find("surrogate"), std::string::npos) << decoded.error().to_string();
  }
  std::string paired{kRequest};
  paired.insert(paired.find("Legal"), R"(\ud83d\ude00)");
  const auto decoded = decoder.decode(paired);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().to_string();
  EXPECT_EQ(std::get<Request>(decoded.value().body).to, "\xF0\x9F\x98\x80Legal");
}

TEST(Decoder, RefusesAMemberGivenTwiceWhichReadersWouldEachTakeDifferently) {
  const Decoder decoder;
  const auto refused = [&](const std::string& record) {
    const auto decoded = decoder.decode(record);
    return decoded.has_value() ? std::string("accepted") : decoded.error().to_string();
  };
  std::string twice_to{kRequest};
  twice_to.insert(twice_to.size() - 1, R"(,"to":"IT")");
  EXPECT_EQ(refused(twice_to), "/to: given twice: name each member once");
  std::string twice_in_attrs{kRequest};
  twice_in_attrs.insert(twice_in_attrs.size() - 1, R"(,"attrs":{"channel":"mail","channel":"phone"})");
  EXPECT_EQ(refused(twice_in_attrs), "/attrs/channel: given twice: name each member once");
  const std::string twice_in_data =
      R"({"specversion":"1.0","id":"e1","source":"jira","type":"org.relmap.handoff.v1","time":"2026-03-02T09:15:00Z",)"
      R"("subject":"C1","data":{"from":"Sales","to":"Legal","from":"IT"}})";
  EXPECT_EQ(refused(twice_in_data), "/data/from: given twice: name each member once");
  std::string ignored_twice{kRequest};
  ignored_twice.insert(ignored_twice.size() - 1, R"(,"note":1,"note":2)");
  EXPECT_EQ(refused(ignored_twice), "accepted") << "members the contract does not name are not read";
}

// A body of 100,000 nested arrays crashed relmap ingest: RapidJSON's parser recursed without bound.
TEST(Decoder, RefusesNestingDeeperThanTheLimitWithoutRecursingIntoIt) {
  const Decoder decoder;
  const auto nested = [](std::size_t depth) {
    std::string record{kRequest};
    record.insert(record.size() - 1, R"(,"extra":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']'));
    return record;
  };
  for (const auto check : {Decoder::SchemaCheck::compiled, Decoder::SchemaCheck::validator_only}) {
    const Decoder checked{check};
    EXPECT_TRUE(checked.decode(nested(kMaxEventDepth)).has_value());
    const auto too_deep = checked.decode(nested(kMaxEventDepth + 1));
    ASSERT_FALSE(too_deep.has_value());
    EXPECT_EQ(too_deep.error().code, DecodeErrc::invalid_json);
    EXPECT_EQ(too_deep.error().message, "nested deeper than 16 levels (at byte " +
                                            std::to_string(nested(kMaxEventDepth + 1).find('[') + kMaxEventDepth - 1) + ")");
  }
  const std::string deepest(kMaxEventBytes / 2, '[');
  EXPECT_EQ(decoder.decode(deepest + std::string(kMaxEventBytes / 2, ']')).error().code, DecodeErrc::invalid_json);
  EXPECT_EQ(decoder.decode(deepest).error().code, DecodeErrc::invalid_json);
}

}  // namespace
}  // namespace relmap::schemas
