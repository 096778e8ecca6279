#include "relmap/common/utf8.hpp"

namespace relmap {

namespace {

/// Walks the code points of `text`; stops at the first malformed sequence.
struct Utf8Scan {
  std::size_t code_points = 0;
  std::optional<std::size_t> invalid_at;
};

Utf8Scan scan_utf8(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(text[at]); };
  while (i < text.size()) {
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    char32_t code_point = 0;
    if (lead < 0x80) {
      length = 1;
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return {count, i};
    }
    if (i + length > text.size()) return {count, i};
    for (std::size_t k = 1; k < length; ++k) {
      if ((byte(i + k) & 0xC0) != 0x80) return {count, i};
      code_point = (code_point << 6) | (byte(i + k) & 0x3F);
    }
    static constexpr char32_t kSmallestForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallestForLength[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return {count, i};
    }
    i += length;
    ++count;
  }
  return {count, std::nullopt};
}

}  // namespace

std::optional<std::size_t> utf8_code_points(std::string_view text) {
  const auto scan = scan_utf8(text);
  if (scan.invalid_at) return std::nullopt;
  return scan.code_points;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) { return scan_utf8(text).invalid_at; }

std::string with_invalid_utf8_replaced(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  while (!text.empty()) {
    const auto invalid_at = first_invalid_utf8(text);
    if (!invalid_at) {
      valid += text;
      break;
    }
    valid += text.substr(0, *invalid_at);
    valid += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
    text.remove_prefix(*invalid_at + 1);
  }
  return valid;
}

bool has_control_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // U+0080..U+009F encode as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace relmap
