#include "relmap/common/time.hpp"

#include <cstdio>
#include <string>

namespace relmap {
namespace {

using namespace std::chrono;

/// Reads exactly `width` decimal digits at `pos`, advancing it.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, int width) {
  if (pos + static_cast<std::size_t>(width) > text.size()) return std::nullopt;
  int value = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(width);
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  const auto year = read_digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  const auto month = read_digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  const auto day = read_digits(text, pos, 2);
  if (!day) return std::nullopt;
  // RFC 3339 section 5.6 allows a lowercase "t" and "z".
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  const auto hour = read_digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  const auto minute = read_digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) return std::nullopt;
  const auto second = read_digits(text, pos, 2);
  if (!second) return std::nullopt;

  const year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                            std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  microseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
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
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto offset_hours = read_digits(text, pos, 2);
    if (!offset_hours || !expect(text, pos, ':')) return std::nullopt;
    const auto offset_minutes = read_digits(text, pos, 2);
    if (!offset_minutes || *offset_hours > 23 || *offset_minutes > 59) return std::nullopt;
    offset = minutes{sign * (*offset_hours * 60 + *offset_minutes)};
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const sys_days days{date};
  return time_point_cast<microseconds>(days) + hours{*hour} + minutes{*minute} + seconds{*second} +
         fraction - offset;
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
