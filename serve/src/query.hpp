#pragma once
// What a request asks, checked: its query parameters, and the refusal a bad one earns.

#include <algorithm>
#include <chrono>
#include <charconv>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/beast/http/status.hpp>

#include "relmap/common/time.hpp"
#include "relmap/graph/statistics.hpp"

namespace relmap::serve {

using boost::beast::http::status;

/// A 4xx the request earned: turned into the JSON error by Api::handle.
struct Refusal : std::runtime_error {
  Refusal(status code_status, std::string code_name, const std::string& message,
          std::optional<std::chrono::milliseconds> wait = std::nullopt)
      : std::runtime_error(message), http_status(code_status), code(std::move(code_name)), retry_after(wait) {}
  status http_status;
  std::string code;
  std::optional<std::chrono::milliseconds> retry_after;  ///< for 429 and 503: when to try again
};

[[noreturn]] inline void refuse(status http_status, std::string code, const std::string& message) {
  throw Refusal(http_status, std::move(code), message);
}

/// The query of one route: only the parameters it names, each at most once.
class Query {
 public:
  Query(const std::map<std::string, std::string>& parameters, std::initializer_list<std::string_view> known)
      : parameters_(parameters) {
    for (const auto& [name, value] : parameters_) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        refuse(status::bad_request, "unknown_parameter", "this route takes no parameter \"" + name + "\"");
      }
    }
  }
  std::optional<std::string> text(const std::string& name) const {
    const auto found = parameters_.find(name);
    if (found == parameters_.end()) return std::nullopt;
    return found->second;
  }
  std::string choice(const std::string& name, std::initializer_list<std::string_view> allowed) const {
    const auto value = text(name);
    if (!value) return std::string(*allowed.begin());
    if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) {
      std::string list;
      for (const auto option : allowed) list += (list.empty() ? "" : ", ") + std::string(option);
      refuse(status::bad_request, "invalid_parameter", name + " must be one of " + list + ", not \"" + *value + "\"");
    }
    return *value;
  }
  std::optional<std::string> day(const std::string& name) const {
    const auto value = text(name);
    if (!value) return std::nullopt;
    const auto instant = parse_rfc3339(*value + "T00:00:00Z");
    if (value->size() != 10 || !instant || format_day(*instant) != *value) {
      refuse(status::bad_request, "invalid_parameter", name + " must be a day, YYYY-MM-DD, not \"" + *value + "\"");
    }
    return value;
  }
  /// The window of `from` and `to` (either may be missing); refused when from comes after to.
  graph::Window window() const {
    graph::Window chosen{day("from"), day("to")};
    if (chosen.from && chosen.to && *chosen.from > *chosen.to) {
      refuse(status::bad_request, "invalid_parameter", "from (" + *chosen.from + ") comes after to (" + *chosen.to + ")");
    }
    return chosen;
  }
  bool flag(const std::string& name) const { return choice(name, {"false", "true"}) == "true"; }
  int positive(const std::string& name, int fallback, int most) const {
    const auto value = text(name);
    if (!value) return fallback;
    int number = 0;
    const auto* end = value->data() + value->size();
    const auto [rest, error] = std::from_chars(value->data(), end, number);
    if (error != std::errc{} || rest != end || number < 1 || number > most) {
      refuse(status::bad_request, "invalid_parameter",
             name + " must be a whole number from 1 to " + std::to_string(most) + ", not \"" + *value + "\"");
    }
    return number;
  }

 private:
  const std::map<std::string, std::string>& parameters_;
};

/// Refuses a window that reaches outside the years 0000 to 9999 (what RFC 3339 days can name): a
/// window computed from a valid one (the one before it, a report's length, whole weeks) can.
inline void require_calendar(const std::optional<std::string>& from, const std::optional<std::string>& to) {
  for (const auto* end : {&from, &to}) {
    if (*end && !parse_rfc3339(**end + "T00:00:00Z")) {
      refuse(status::bad_request, "invalid_parameter", "the window reaches outside the years 0000 to 9999 (" + **end + ")");
    }
  }
}

}  // namespace relmap::serve
