// Every event of tests/data/events/ through the decoder: valid ones must decode to the canonical form
// written beside them, invalid ones must be rejected with exactly the reason written beside them.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../../support/event_corpus.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::schemas {
namespace {

using testing::compact;
using testing::corpus_lines;
using testing::invalid_records;

TEST(EventCorpus, HasEnoughOfEachKind) {
  EXPECT_GE(invalid_records().size(), 40u);
  const auto valid = corpus_lines("valid.jsonl");
  EXPECT_GE(valid.size(), 20u);
  const Decoder decoder{testing::corpus_time_bounds()};
  std::set<std::string> types;
  int cloud_events = 0;
  for (const auto& line : valid) {
    rapidjson::Document document;
    document.Parse(line.c_str());
    const std::string input = compact(document["input"]);
    cloud_events += document["input"].HasMember("specversion") ? 1 : 0;
    const auto decoded = decoder.decode(input);
    if (decoded.has_value()) types.insert(std::string(to_string(decoded.value().type())));
  }
  EXPECT_EQ(types.size(), 5u) << "every type appears among the valid events";
  EXPECT_GE(cloud_events, 5) << "every type appears in CloudEvents form too";
}

TEST(EventCorpus, ValidEventsDecodeToTheirCanonicalForm) {
  const Decoder decoder{testing::corpus_time_bounds()};
  for (const auto& line : corpus_lines("valid.jsonl")) {
    rapidjson::Document document;
    document.Parse(line.c_str());
    ASSERT_FALSE(document.HasParseError()) << line;
    const std::string input = compact(document["input"]);
    const std::string expected = compact(document["expect"]);
    const auto decoded = decoder.decode(input);
    ASSERT_TRUE(decoded.has_value()) << input << "\n  rejected: " << decoded.error().to_string();
    EXPECT_EQ(to_json(decoded.value()), expected) << "input: " << input;

    // The canonical form is itself valid and a fixed point.
    const auto again = decoder.decode(expected);
    ASSERT_TRUE(again.has_value()) << expected << "\n  rejected: " << again.error().to_string();
    EXPECT_EQ(to_json(again.value()), expected);
  }
}

TEST(EventCorpus, InvalidEventsAreRejectedWithTheirReason) {
  const Decoder decoder{testing::corpus_time_bounds()};
  for (const auto& record : invalid_records()) {
    const auto decoded = decoder.decode(record.raw);
    ASSERT_FALSE(decoded.has_value()) << "accepted: " << record.raw;
    EXPECT_EQ(to_string(decoded.error().code), record.code) << record.raw;
    EXPECT_EQ(decoded.error().to_string(), record.reason) << record.raw;
  }
}

TEST(EventCorpus, EveryRejectionCodeIsCovered) {
  std::set<std::string> codes;
  for (const auto& record : invalid_records()) codes.insert(record.code);
  for (const auto code : {DecodeErrc::invalid_utf8, DecodeErrc::invalid_json, DecodeErrc::not_an_object,
                          DecodeErrc::schema_violation, DecodeErrc::unknown_type, DecodeErrc::unsupported_version,
                          DecodeErrc::invalid_time, DecodeErrc::invalid_department, DecodeErrc::same_department,
                          DecodeErrc::invalid_cloudevent}) {
    EXPECT_TRUE(codes.count(std::string(to_string(code)))) << to_string(code) << " has no example";
  }
}

}  // namespace
}  // namespace relmap::schemas
