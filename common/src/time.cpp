#include "relmap/common/time.hpp"

#include <cstdio>
#include <string>

namespace relmap {
namespace {

using namespace std::chrono;

/// The value of the `width` decimal digits at `pos`, or -1 when one is not a digit. The caller has
/// checked that they are inside `text`.
int digits_at(std::string_view text, std::size_t pos, int width) {
  int value = 0;
  for (int i = 0; i < width; ++i) {
    const unsigned digit = static_cast<unsigned char>(text[pos + static_cast<std::size_t>(i)]) - unsigned{'0'};
    if (digit > 9) return -1;
    value = value * 10 + static_cast<int>(digit);
  }
  return value;
}

}  // namespace

// Every event carries one or two of these: read at the fixed positions RFC 3339 gives every field up
// to the seconds, rather than field by field.
std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  constexpr std::size_t kSecondsEnd = 19;  // "YYYY-MM-DDTHH:MM:SS"
  if (text.size() <= kSecondsEnd || text[4] != '-' || text[7] != '-' || text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  // RFC 3339 section 5.6 allows a lowercase "t" and "z".
  if (text[10] != 'T' && text[10] != 't') return std::nullopt;
  const int year = digits_at(text, 0, 4);
  const int month = digits_at(text, 5, 2);
  const int day = digits_at(text, 8, 2);
  const int hour = digits_at(text, 11, 2);
  const int minute = digits_at(text, 14, 2);
  const int second = digits_at(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return std::nullopt;

  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;

  std::size_t pos = kSecondsEnd;
  microseconds fraction{0};
  if (text[pos] == '.') {
    ++pos;
    const std::size_t first_digit = pos;
    long long micros = 0;
    int kept = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (kept < 6) {
        micros = micros * 10 + (text[pos] - '0');
        ++kept;
      }
      ++pos;
    }
    if (pos == first_digit) return std::nullopt;
    for (; kept < 6; ++kept) micros *= 10;
    fraction = microseconds{micros};
  }

  if (pos >= text.size()) return std::nullopt;
  minutes offset{0};
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    // "+HH:MM", and nothing after it
    if (text.size() != pos + 6 || text[pos + 3] != ':') return std::nullopt;
    const int sign = text[pos] == '-' ? -1 : 1;
    const int offset_hours = digits_at(text, pos + 1, 2);
    const int offset_minutes = digits_at(text, pos + 4, 2);
    if (offset_hours < 0 || offset_minutes < 0 || offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    offset = minutes{sign * (offset_hours * 60 + offset_minutes)};
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const sys_days days{date};
  return time_point_cast<microseconds>(days) + hours{hour} + minutes{minute} + seconds{second} + fraction - offset;
}

namespace {

/// Writes `value` as exactly `width` digits (zero-padded) at `out`; returns the end.
char* write_digits(char* out, long long value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

/// Writes YYYY-MM-DD (at most 12 characters) and returns the end.
char* write_date(char* out, const year_month_day& date) {
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {
    // Only an offset can take a parsed time outside four-digit years (0000-01-01T00:00:00+01:00).
    out += std::snprintf(out, 8, "%04d", year);
  } else {
    out = write_digits(out, year, 4);
  }
  *out++ = '-';
  out = write_digits(out, static_cast<unsigned>(date.month()), 2);
  *out++ = '-';
  return write_digits(out, static_cast<unsigned>(date.day()), 2);
}

}  // namespace

// Hand-formatted rather than snprintf: every event is written with one or two of these, and
// printf's format parsing was a tenth of `relmap produce`'s time.
std::string format_rfc3339(Timestamp instant) {
  const auto days = floor<std::chrono::days>(instant);
  const hh_mm_ss<microseconds> time{instant - days};
  char buffer[40];
  char* out = write_date(buffer, year_month_day{days});
  *out++ = 'T';
  out = write_digits(out, time.hours().count(), 2);
  *out++ = ':';
  out = write_digits(out, time.minutes().count(), 2);
  *out++ = ':';
  out = write_digits(out, time.seconds().count(), 2);
  auto micros = time.subseconds().count();
  if (micros != 0) {
    int digits = 6;
    while (micros % 10 == 0) {
      micros /= 10;
      --digits;
    }
    *out++ = '.';
    out = write_digits(out, micros, digits);
  }
  *out++ = 'Z';
  return std::string(buffer, out);
}

std::string format_day(Timestamp instant) {
  // The aggregates of a window take the day of every fact they count: snprintf was a tenth of
  // `relmap map --brokers`.
  char buffer[16];
  return std::string(buffer, write_date(buffer, year_month_day{floor<std::chrono::days>(instant)}));
}

}  // namespace relmap
