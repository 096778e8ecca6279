#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "relmap/http/server.hpp"

namespace relmap::http {

/// Smaller bodies go as they are: their gzip header and the work would cost more than they save.
inline constexpr std::size_t kGzipFrom = 1024;

/// `data` as a gzip stream (RFC 1952), through zlib.
std::string gzip(std::string_view data);

/// Whether the request's Accept-Encoding takes gzip (and does not refuse it with q=0).
bool accepts_gzip(const Request& request);

}  // namespace relmap::http
