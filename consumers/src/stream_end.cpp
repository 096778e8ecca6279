#include "stream_end.hpp"

#include <algorithm>

namespace relmap::consumer {

void StreamEnd::set_targets(std::vector<kafka::TopicPartition> ends) {
  targets_ = std::move(ends);
  rewound();
}

void StreamEnd::rewound() {
  unread_to_target_.clear();
  for (const auto& target : targets_) {
    if (target.offset > 0) unread_to_target_[target.partition] = target.offset;
  }
}

void StreamEnd::note_read(std::int32_t partition, std::int64_t offset) {
  const auto target = unread_to_target_.find(partition);
  if (target != unread_to_target_.end() && offset + 1 >= target->second) unread_to_target_.erase(target);
}

bool StreamEnd::all_caught_up(const std::vector<std::int32_t>& owned) const {
  return std::all_of(owned.begin(), owned.end(), [&](std::int32_t partition) { return caught_up_.count(partition) > 0; });
}

bool StreamEnd::reached(const std::vector<kafka::TopicPartition>& positions) const {
  for (std::size_t i = 0; i < positions.size(); ++i) {
    if (targets_[i].offset > 0 && positions[i].offset < targets_[i].offset) return false;
  }
  return true;
}

}  // namespace relmap::consumer
