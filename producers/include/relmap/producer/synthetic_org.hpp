#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>

#include "relmap/common/time.hpp"

namespace relmap::producer {

/// The patterns `relmap generate` plants, so that demos and tests know what relmap must find.
namespace planted {
/// Three departments that talk almost only to each other (external share about 1%): a silo.
inline constexpr std::array<std::string_view, 3> kSilo = {"Research", "Patents", "Lab"};
/// Two departments that talk only to each other: a separate component (an island).
inline constexpr std::array<std::string_view, 2> kIsland = {"Archive", "Records"};
/// Declines about half of what it is asked ("not my role"); everyone else about 4%.
inline constexpr std::string_view kNotMyRoleHotspot = "Legal";
/// IT resolves many requests from Sales and asks Sales almost nothing: IT gives, Sales gets.
inline constexpr std::string_view kGiver = "IT";
inline constexpr std::string_view kTaker = "Sales";
/// Cases bounce between Billing and Returns: the top ping-pong pair.
inline constexpr std::array<std::string_view, 2> kPingPong = {"Billing", "Returns"};
/// In the directory, Lab belongs to Supply Chain but works with Research and Patents (unit Research &
/// Development): Supply Chain is split, and the silo's community cuts across two units.
inline constexpr std::string_view kMisplacedInOrgChart = "Lab";
/// Listed in the directory, never in an event: reported as isolated.
inline constexpr std::string_view kSilentDepartment = "Mailroom";
}  // namespace planted

struct GeneratorSettings {
  std::uint64_t seed = 1;
  std::uint64_t cases = 1000;
  Timestamp start = std::chrono::sys_days{std::chrono::year{2026} / 1 / 5};
  std::chrono::days span{90};  ///< case start times spread over this period
  double duplicate_rate = 0;    ///< share of events emitted twice (same event_id)
  double out_of_order_rate = 0; ///< share of answered requests whose response is emitted before the request
  double invalid_rate = 0;      ///< share of records replaced by an extra invalid line
};

struct GeneratedCounts {
  std::uint64_t cases = 0;
  std::uint64_t events = 0;      ///< distinct valid events
  std::uint64_t duplicates = 0;  ///< extra copies emitted
  std::uint64_t invalid = 0;     ///< invalid lines emitted
};

/// Generates a synthetic organisation's event stream: about 23 departments in clusters (front office,
/// operations, corporate) plus the planted patterns above; per case a chain of owners (handoffs),
/// requests between departments with responses (resolved, declined, redirected, or none), feedback and
/// the odd andon pull. Cases start in time order over `span`; all events of a case follow its start.
/// Records are canonical JSON, one per call of `emit`. The same settings give the same stream.
GeneratedCounts generate_organisation(const GeneratorSettings& settings,
                                      const std::function<void(std::string_view record)>& emit);

/// The generated organisation's department directory as CSV (id,name,unit,customer_facing): its
/// formal units, display names, and the planted directory patterns above.
std::string organisation_directory_csv();

}  // namespace relmap::producer
