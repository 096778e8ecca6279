// Every event of tests/data/events/ through the decoder: valid ones must decode to the canonical form
// written beside them, invalid ones must be rejected with exactly the reason written beside them.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/schemas/decoder.hpp"

namespace relmap::schemas {
namespace {

const std::string kCorpus = std::string(RELMAP_TEST_DATA_DIR) + "/events/";

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') lines.push_back(line);
  }
  return lines;
}

std::string compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

struct InvalidRecord {
  std::string code;
  std::string reason;
  std::string raw;
};

std::vector<InvalidRecord> invalid_records() {
  std::vector<InvalidRecord> records;
  for (const auto& line : lines_of(kCorpus + "invalid.tsv")) {
    const auto first_tab = line.find('\t');
    const auto second_tab = line.find('\t', first_tab + 1);
    records.push_back({line.substr(0, first_tab), line.substr(first_tab + 1, second_tab - first_tab - 1),
                       line.substr(second_tab + 1)});
  }
  return records;
}

TEST(EventCorpus, HasEnoughOfEachKind) {
  EXPECT_GE(invalid_records().size(), 40u);
  const auto valid = lines_of(kCorpus + "valid.jsonl");
  EXPECT_GE(valid.size(), 20u);
  const Decoder decoder;
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
  const Decoder decoder;
  for (const auto& line : lines_of(kCorpus + "valid.jsonl")) {
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
  const Decoder decoder;
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
