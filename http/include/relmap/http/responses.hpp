#pragma once
// Answers every relmap HTTP service writes the same way.

#include <string>
#include <string_view>

#include "relmap/http/server.hpp"

namespace relmap::http {

/// Beast's text (boost::string_view in Boost 1.74) as the standard's view.
inline std::string_view view_of(boost::beast::string_view text) { return {text.data(), text.size()}; }

/// An answer to `request` (its HTTP version and keep-alive) with a body of `content_type`.
Response make_response(const Request& request, boost::beast::http::status status, std::string body,
                       std::string_view content_type);

/// The JSON error every 4xx and 5xx carries: {"error": {"code": CODE, "message": MESSAGE}}, where the
/// code is stable (clients branch on it) and the message is for people.
Response error_response(const Request& request, boost::beast::http::status status, std::string_view code,
                        std::string_view message);
/// The same for a request that could not be read (no request to take the version from).
Response error_response(boost::beast::http::status status, std::string_view code, std::string_view message);

}  // namespace relmap::http
