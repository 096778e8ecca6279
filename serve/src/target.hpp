#pragma once
// A request target split into its decoded path segments and query parameters.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relmap::serve {

struct Target {
  std::vector<std::string> segments;          ///< "/api/v1/departments/a%2Fb" -> api, v1, departments, a/b
  std::map<std::string, std::string> query;   ///< "?from=2026-01-01&to=..."; '+' is a space
};

/// Nullopt for a target that is not origin-form, a malformed %-escape, text that is not UTF-8 once
/// decoded, or a parameter given twice.
/// (Boost.URL, which would do this, arrived in Boost 1.81; Debian bookworm ships 1.74.)
std::optional<Target> parse_target(std::string_view target);

}  // namespace relmap::serve
