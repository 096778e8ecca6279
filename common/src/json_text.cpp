#include "relmap/common/json_text.hpp"

#include <cstdint>

namespace relmap {
namespace {

/// The code unit of the "\uXXXX" escape whose 'u' is at `at`, or none when it is not four hex digits.
std::optional<std::uint32_t> escaped_code_unit(std::string_view text, std::size_t at) {
  if (at + 4 >= text.size()) return std::nullopt;
  std::uint32_t unit = 0;
  for (std::size_t i = at + 1; i <= at + 4; ++i) {
    const char c = text[i];
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    unit = unit * 16 + digit;
  }
  return unit;
}

bool is_high_surrogate(std::uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool is_low_surrogate(std::uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

}  // namespace

JsonTextFaults find_json_text_faults(std::string_view text, std::size_t max_depth) {
  JsonTextFaults faults;
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      if (c == '"') {
        in_string = true;
      } else if (c == '[' || c == '{') {
        if (++depth > max_depth && !faults.too_deep_at) faults.too_deep_at = i;
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      }
      continue;
    }
    if (c == '"') {
      in_string = false;
    } else if (c == '\\' && i + 1 < text.size()) {
      const std::size_t escape_at = i;
      ++i;  // the escaped character is never the string's end
      if (text[i] != 'u' || faults.lone_surrogate_at) continue;
      const auto unit = escaped_code_unit(text, i);
      if (!unit) continue;  // not an escape: the parser says so
      i += 4;
      if (is_low_surrogate(*unit)) {
        faults.lone_surrogate_at = escape_at;
      } else if (is_high_surrogate(*unit)) {
        const bool low_follows = i + 2 < text.size() && text[i + 1] == '\\' && text[i + 2] == 'u';
        const auto next = low_follows ? escaped_code_unit(text, i + 2) : std::nullopt;
        if (next && is_low_surrogate(*next)) {
          i += 6;
        } else {
          faults.lone_surrogate_at = escape_at;
        }
      }
    }
    if (faults.too_deep_at && faults.lone_surrogate_at) break;
  }
  return faults;
}

}  // namespace relmap
