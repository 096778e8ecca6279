#include "relmap/producer/process_log.hpp"

#include <algorithm>

#include "relmap/producer/digest.hpp"

namespace relmap::producer {

std::vector<schemas::Event> handoffs_of_case(const std::string& source, const std::string& case_id,
                                             std::vector<LoggedActivity> activities) {
  std::erase_if(activities, [](const LoggedActivity& activity) { return !activity.at; });
  std::stable_sort(activities.begin(), activities.end(),
                   [](const LoggedActivity& a, const LoggedActivity& b) { return *a.at < *b.at; });
  std::vector<schemas::Event> handoffs;
  const std::string* owner = nullptr;
  for (const auto& activity : activities) {
    if (!activity.department) continue;
    if (owner != nullptr && *owner != *activity.department) {
      schemas::Event handoff;
      // 128 bits of SHA-256: deterministic, and collisions are out of reach for any real log.
      handoff.event_id = "xes-" + sha256_hex({source, case_id, std::to_string(handoffs.size())}).substr(0, 32);
      handoff.occurred_at = *activity.at;
      handoff.case_id = case_id;
      handoff.source = source;
      handoff.body = schemas::Handoff{*owner, *activity.department, std::nullopt};
      handoffs.push_back(std::move(handoff));
    }
    owner = &*activity.department;
  }
  return handoffs;
}

}  // namespace relmap::producer
