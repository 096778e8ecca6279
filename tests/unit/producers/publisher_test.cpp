#include "relmap/producer/publisher.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "relmap/producer/digest.hpp"

namespace relmap::producer {
namespace {

schemas::Event decoded(std::string_view json) {
  const schemas::Decoder decoder;
  auto result = decoder.decode(json);
  EXPECT_TRUE(result.has_value());
  return result.value();
}

kafka::Config unreachable() {
  kafka::Config config;
  config.set("bootstrap.servers", "127.0.0.1:1");
  return config;
}

constexpr std::string_view kWithActor =
    R"({"event_id":"e1","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t",)"
    R"("actor":"anna@example.org","from":"A","to":"B"})";

TEST(EventPublisher, ReplacesTheActorByItsKeyedHash) {
  const EventPublisher publisher(unreachable(), {}, PublishSettings{"k3y"});
  const std::string value = publisher.canonical_value(decoded(kWithActor));
  EXPECT_EQ(value.find("anna@example.org"), std::string::npos) << value;
  // RFC 4231-style check of the primitive itself: HMAC-SHA-256("key", "The quick brown fox jumps over the lazy dog").
  EXPECT_EQ(hmac_sha256_hex("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  EXPECT_NE(value.find(R"("actor":"hmac-sha256:)" + hmac_sha256_hex("k3y", "anna@example.org") + "\""), std::string::npos)
      << value;
}

TEST(EventPublisher, DropsTheActorWithoutAKey) {
  const EventPublisher publisher(unreachable(), {});
  const std::string value = publisher.canonical_value(decoded(kWithActor));
  EXPECT_EQ(value.find("actor"), std::string::npos) << value;
}

TEST(EventPublisher, PublishesARecordAsItIsUnlessItNamesAnActor) {
  const EventPublisher publisher(unreachable(), {}, PublishSettings{"k3y"});
  constexpr std::string_view kWithoutActor =
      R"({"event_id":"e2","type":"handoff","v":1,"occurred_at":"2026-03-02T11:00:00+02:00","case_id":"c","source":"t",)"
      R"("from":"A","to":"B","ticket_system_field":"kept"})";
  EXPECT_FALSE(publisher.rewritten_value(decoded(kWithoutActor)).has_value());
  const auto rewritten = publisher.rewritten_value(decoded(kWithActor));
  ASSERT_TRUE(rewritten.has_value());
  EXPECT_EQ(*rewritten, publisher.canonical_value(decoded(kWithActor)));
  const auto cloud_event = publisher.rewritten_value(decoded(
      R"({"specversion":"1.0","id":"ce1","source":"t","type":"org.relmap.handoff.v1","time":"2026-03-02T09:00:00Z",)"
      R"("subject":"c","data":{"from":"A","to":"B"}})"));
  ASSERT_TRUE(cloud_event.has_value()) << "the events topic holds native events only";
  EXPECT_EQ(cloud_event->find("specversion"), std::string::npos) << *cloud_event;
}

TEST(EventPublisher, KeysEventsByCaseAndCaselessAndonsByEventId) {
  EXPECT_EQ(message_key(decoded(kWithActor)), "c");
  EXPECT_EQ(message_key(decoded(R"({"event_id":"a1","type":"andon","v":1,"occurred_at":"2026-03-02T09:00:00Z","source":"t","from":"A","about":"B","severity":"low","reason":"r"})")),
            "a1");
}

using Lines = std::vector<std::pair<std::string, std::uint64_t>>;

Lines read_with_getline(const std::string& text) {
  std::istringstream in(text);
  Lines lines;
  for_each_jsonl_record(in, [&](std::string_view record, std::uint64_t number) { lines.emplace_back(record, number); });
  return lines;
}

Lines read_in_blocks(const std::string& text, std::size_t block_bytes) {
  std::istringstream in(text);
  Lines lines;
  for_each_jsonl_record_in_blocks(
      in, [&](std::string_view record, std::uint64_t number) { lines.emplace_back(record, number); }, block_bytes);
  return lines;
}

TEST(JsonlRecords, BlocksOfAnySizeGiveTheLinesGetlineGives) {
  const std::string long_line(5000, 'x');
  const std::vector<std::string> texts = {
      "", "\n", "a", "a\n", "a\r\nb\r\n", "  \n\t\n{\"x\":1}\n\n", "first\n\nthird\nno newline at the end",
      "a\n" + long_line + "\nb", "\r\n\r\nc\r", long_line};
  for (const auto& text : texts) {
    const Lines expected = read_with_getline(text);
    for (const std::size_t block : {1, 2, 3, 7, 64, 1 << 20}) {
      EXPECT_EQ(read_in_blocks(text, block), expected) << "block " << block << ", text of " << text.size() << " bytes";
    }
  }
  EXPECT_EQ(read_in_blocks("a\r\n\n  \nb", 2), (Lines{{"a", 1}, {"b", 4}}));
}

}  // namespace
}  // namespace relmap::producer
