#include "relmap/aggregation/event_tally.hpp"

namespace relmap::aggregation {

bool EventTally::add(const schemas::Event& event) {
  // A repeat within its case, as the aggregator counts (the case is the partition key).
  if (!event_ids_.insert(event.case_id.value_or("") + '\x1F' + event.event_id).second) {
    ++duplicates_;
    return false;
  }
  ++events_;
  ++by_type_[event.type()];
  if (event.case_id) cases_.insert(*event.case_id);
  const auto name = [this](const std::string& department) { departments_.insert(department); };
  std::visit(
      [&](const auto& body) {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, schemas::Request>) {
          name(body.from);
          name(body.to);
          ++interactions_[{body.from, body.to}];
        } else if constexpr (std::is_same_v<Body, schemas::Handoff>) {
          name(body.to);
          if (body.from) {  // else it opens the case: an interaction of no one
            name(*body.from);
            ++interactions_[{*body.from, body.to}];
          }
        } else if constexpr (std::is_same_v<Body, schemas::Response>) {
          name(body.from);
          name(body.to);
          if (body.redirect_to) name(*body.redirect_to);
          if (body.outcome == schemas::Outcome::declined) ++declined_[{body.from, body.to}];
        } else if constexpr (std::is_same_v<Body, schemas::Feedback>) {
          if (body.about) name(*body.about);
          if (body.from) name(*body.from);
        } else {
          name(body.from);
          name(body.about);
        }
      },
      event.body);
  return true;
}

void EventTally::add_rejected(const std::string& reason_code) {
  ++rejected_;
  ++rejected_by_reason_[reason_code];
}

}  // namespace relmap::aggregation
