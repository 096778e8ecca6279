#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace relmap {

/// Number of code points in `text` when it is well-formed UTF-8 (no overlongs, no surrogates,
/// nothing above U+10FFFF); nullopt otherwise.
std::optional<std::size_t> utf8_code_points(std::string_view text);

/// Offset of the first byte that does not belong to well-formed UTF-8; nullopt when all is well-formed.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

/// `text` with every byte that does not belong to well-formed UTF-8 replaced by U+FFFD: for quoting
/// what a client sent (a header, a path) in a message that must itself be valid UTF-8.
std::string with_invalid_utf8_replaced(std::string_view text);

/// True when `text` holds a C0 control character or DEL (U+0000-U+001F, U+007F) or a C1 control
/// (U+0080-U+009F).
bool has_control_character(std::string_view text);

}  // namespace relmap
