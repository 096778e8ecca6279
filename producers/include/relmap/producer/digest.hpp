#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace relmap::producer {

/// Hex SHA-256 of the parts, each length-prefixed so ("ab", "c") and ("a", "bc") differ.
std::string sha256_hex(std::initializer_list<std::string_view> parts);

/// Hex HMAC-SHA-256 of `message` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

}  // namespace relmap::producer
