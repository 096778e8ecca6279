#include "relmap/schemas/decoder.hpp"

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

}  // namespace
}  // namespace relmap::schemas
