#include "relmap/common/time.hpp"

#include <gtest/gtest.h>

namespace relmap {
namespace {

std::string normalised(std::string_view text) {
  const auto parsed = parse_rfc3339(text);
  return parsed ? format_rfc3339(*parsed) : "invalid";
}

TEST(Rfc3339, NormalisesOffsetsToUtc) {
  EXPECT_EQ(normalised("2026-03-02T09:15:00Z"), "2026-03-02T09:15:00Z");
  EXPECT_EQ(normalised("2026-03-02T11:15:00+02:00"), "2026-03-02T09:15:00Z");
  EXPECT_EQ(normalised("2026-03-01T23:15:00-10:00"), "2026-03-02T09:15:00Z");
  EXPECT_EQ(normalised("2026-01-01T00:30:00+01:00"), "2025-12-31T23:30:00Z");
}

TEST(Rfc3339, KeepsMicrosecondsAndTrimsZeros) {
  EXPECT_EQ(normalised("2026-03-02T09:15:00.5Z"), "2026-03-02T09:15:00.5Z");
  EXPECT_EQ(normalised("2026-03-02T09:15:00.000001Z"), "2026-03-02T09:15:00.000001Z");
  EXPECT_EQ(normalised("2026-03-02T09:15:00.1234569Z"), "2026-03-02T09:15:00.123456Z");
  EXPECT_EQ(normalised("2026-03-02T09:15:00.000Z"), "2026-03-02T09:15:00Z");
  EXPECT_EQ(normalised("2026-03-02T11:15:00.25+02:00"), "2026-03-02T09:15:00.25Z");
}

TEST(Rfc3339, AcceptsLowercaseSeparatorsAndLeapDaysAndLeapSeconds) {
  EXPECT_EQ(normalised("2028-02-29t12:00:00z"), "2028-02-29T12:00:00Z");
  EXPECT_EQ(normalised("2016-12-31T23:59:60Z"), "2017-01-01T00:00:00Z");
}

TEST(Rfc3339, RejectsWhatRfc3339DoesNotAllow) {
  for (const char* text : {"", "2026-03-02", "2026-03-02T09:15:00", "2026-03-02T09:15Z", "2026-03-02 09:15:00Z",
                           "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                           "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z", "2026-03-02T09:15:61Z",
                           "2026-03-02T09:15:00.Z", "2026-03-02T09:15:00+0200", "2026-03-02T09:15:00+24:00",
                           "2026-03-02T09:15:00Z ", "26-03-02T09:15:00Z", "2026-3-2T09:15:00Z",
                           "2026-03-02T09:15:00+02:0", "2026-03-02T09:15:00+02:000", "2026-03-02T09:15:00+0a:00",
                           "2026-03-02T09:15:00+02-00", "2026-03-02T09:15:00-", "2026-03-02T0a:15:00Z",
                           "2026-03-02T09:15:0aZ", "2026-03-02T09-15:00Z", "2026/03/02T09:15:00Z", "x026-03-02T09:15:00Z"}) {
    EXPECT_FALSE(parse_rfc3339(text).has_value()) << text;
  }
}

TEST(Rfc3339, WritesEveryFieldZeroPaddedAtTheEdgesOfTheRange) {
  EXPECT_EQ(normalised("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
  EXPECT_EQ(normalised("9999-12-31T23:59:59.999999Z"), "9999-12-31T23:59:59.999999Z");
  EXPECT_EQ(normalised("2026-07-09T05:06:07.08Z"), "2026-07-09T05:06:07.08Z");
  EXPECT_EQ(normalised("0000-01-01T00:30:00+01:00"), "-001-12-31T23:30:00Z");
}

TEST(Rfc3339, FormatsTheUtcDay) {
  EXPECT_EQ(format_day(*parse_rfc3339("2026-03-02T01:00:00+02:00")), "2026-03-01");
}

}  // namespace
}  // namespace relmap
