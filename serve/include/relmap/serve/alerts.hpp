#pragma once
// The alerts the service lists: andon pulls and relationships whose dead-end rate crossed the rule.

#include <string>
#include <vector>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::serve {

struct Alert {
  std::string kind;  ///< "andon" or "dead_end_rate"
  Timestamp at{};    ///< when the cord was pulled; for a rate, the data's end when it was found
  std::vector<std::string> departments;  ///< whom it is about (what a department role may see)
  std::string json;  ///< the alert as the API writes it: a JSON object
};

/// The alerts of the alerts topic (its records' JSON values, as `relmap aggregate` and `relmap
/// alerts` write them), newest first. A value that is not such an alert is left out.
std::vector<Alert> alerts_from_topic(const std::vector<std::string>& values);

/// The alerts of data that no `relmap alerts` pass has seen (an event file): its andon pulls, and
/// each relationship of `map` over `rule`, newest first.
std::vector<Alert> alerts_of(const aggregation::AggregatesBuilder& facts, const graph::RelationshipMap& map,
                             const graph::DeadEndAlertRule& rule = {});

}  // namespace relmap::serve
