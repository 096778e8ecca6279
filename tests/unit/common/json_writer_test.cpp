#include "relmap/common/json_writer.hpp"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace relmap {
namespace {

/// `text` written as a JSON string member and parsed back, or why it did not parse.
std::string written_and_read_back(std::string_view text) {
  JsonWriter json;
  json.start_object();
  json.field("text", text);
  json.end_object();
  const std::string written = json.str();
  rapidjson::Document parsed;
  parsed.Parse<rapidjson::kParseValidateEncodingFlag>(written.data(), written.size());
  if (parsed.HasParseError()) return "not JSON: " + written;
  return {parsed["text"].GetString(), parsed["text"].GetStringLength()};
}

std::string utf8_of(char32_t code_point) {
  std::string bytes;
  bytes += static_cast<char>(0xF0 | (code_point >> 18));
  bytes += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
  bytes += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
  bytes += static_cast<char>(0x80 | (code_point & 0x3F));
  return bytes;
}

// RapidJSON 1.1.0's SSE2 writer left 0x1A to 0x1F unescaped in strings of 16 bytes or more.
TEST(JsonWriter, EscapesEveryControlCharacterInShortAndLongStrings) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string control(1, static_cast<char>(c));
    for (const std::string& text : {control, "a" + control, std::string(40, 'x') + control + std::string(40, 'y'),
                                    std::string(15, 'x') + control, std::string(64, static_cast<char>(c))}) {
      EXPECT_EQ(written_and_read_back(text), text) << "control character " << c << " in " << text.size() << " bytes";
    }
  }
  std::string every_control;
  for (int round = 0; round < 4; ++round) {
    for (int c = 0; c < 0x20; ++c) every_control += static_cast<char>(c);
  }
  EXPECT_EQ(written_and_read_back(every_control), every_control);
}

TEST(JsonWriter, WritesEveryFourByteCharacterInShortAndLongStrings) {
  std::string long_text;
  for (char32_t code_point = 0x10000; code_point <= 0x10FFFF; ++code_point) {
    const std::string character = utf8_of(code_point);
    long_text += character;
    if (long_text.size() >= 4096 || code_point == 0x10FFFF) {
      ASSERT_EQ(written_and_read_back(long_text), long_text) << "up to U+" << std::hex << std::uint32_t{code_point};
      long_text.clear();
    }
    if (code_point % 4099 == 0) {
      ASSERT_EQ(written_and_read_back(character), character);
    }
  }
}

TEST(JsonWriter, RefusesTextThatIsNotUtf8InsteadOfWritingIt) {
  JsonWriter json;
  json.start_object();
  EXPECT_THROW(json.field("text", std::string_view("\xED\xB0\x80")), std::invalid_argument);  // a lone surrogate
  EXPECT_THROW(json.field("text", std::string_view("ab\xFF")), std::invalid_argument);
}

}  // namespace
}  // namespace relmap
