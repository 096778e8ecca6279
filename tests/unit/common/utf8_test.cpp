#include "relmap/common/utf8.hpp"

#include <gtest/gtest.h>

namespace relmap {
namespace {

TEST(Utf8, CountsCodePoints) {
  EXPECT_EQ(utf8_code_points(""), 0u);
  EXPECT_EQ(utf8_code_points("Legal"), 5u);
  EXPECT_EQ(utf8_code_points("München"), 7u);
  EXPECT_EQ(utf8_code_points("財務"), 2u);
  EXPECT_EQ(utf8_code_points("\xF0\x9F\x98\x80"), 1u);
}

TEST(Utf8, RejectsMalformedSequences) {
  EXPECT_FALSE(utf8_code_points("\xFF"));
  EXPECT_FALSE(utf8_code_points("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(utf8_code_points("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(utf8_code_points("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(utf8_code_points("\xE2\x82"));          // truncated
}

TEST(Utf8, LocatesTheFirstInvalidByte) {
  EXPECT_FALSE(first_invalid_utf8("München"));
  EXPECT_EQ(first_invalid_utf8("ab\xFF"), 2u);
  EXPECT_EQ(first_invalid_utf8("M\xC3\xBCn\xE2\x82"), 4u);
}

TEST(Utf8, ReplacesEveryByteThatIsNotUtf8SoThatWhatIsLeftIs) {
  EXPECT_EQ(with_invalid_utf8_replaced("plain \xC3\xA9"), "plain \xC3\xA9");
  EXPECT_EQ(with_invalid_utf8_replaced("\xFF"), "\xEF\xBF\xBD");
  EXPECT_EQ(with_invalid_utf8_replaced("a\xFF\xFE" "b"), "a\xEF\xBF\xBD\xEF\xBF\xBD" "b");
  EXPECT_EQ(with_invalid_utf8_replaced("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut off
  EXPECT_EQ(with_invalid_utf8_replaced("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  for (const char* text : {"\xC0\xAF", "x\xF5\x80\x80\x80y", "\x80"}) {
    EXPECT_FALSE(first_invalid_utf8(with_invalid_utf8_replaced(text)).has_value()) << text;
  }
}

TEST(Utf8, FindsControlCharacters) {
  EXPECT_FALSE(has_control_character("Service Desk / 2nd line"));
  EXPECT_FALSE(has_control_character("München"));
  EXPECT_TRUE(has_control_character("a\tb"));
  EXPECT_TRUE(has_control_character(std::string_view("a\0b", 3)));
  EXPECT_TRUE(has_control_character("a\x7F"));
  EXPECT_TRUE(has_control_character("a\xC2\x85"));  // U+0085 NEXT LINE
}

}  // namespace
}  // namespace relmap
