#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace relmap {

/// An instant in UTC with microsecond precision. Event time throughout relmap.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

/// Parses an RFC 3339 date-time ("2026-03-02T09:15:00Z", "2026-03-02T11:15:00.250+02:00") and
/// normalises it to UTC. Returns nullopt for anything RFC 3339 does not allow (no offset, a day that
/// does not exist in that month, hour 24, ...). Fractions beyond microseconds are truncated; a leap
/// second (:60) is read as the first instant of the next minute, as POSIX time does.
std::optional<Timestamp> parse_rfc3339(std::string_view text);

/// Formats as RFC 3339 in UTC with a "Z" suffix; the fraction is printed only when non-zero,
/// with trailing zeros removed ("2026-03-02T09:15:00Z", "2026-03-02T09:15:00.25Z").
std::string format_rfc3339(Timestamp instant);

/// The UTC day of an instant, as "YYYY-MM-DD".
std::string format_day(Timestamp instant);

}  // namespace relmap
