#pragma once
// Where the aggregator stands against the end of its input: which partitions it has read to their
// current end (a batch need not wait for more), and, with --stop-at-end, how far it still has to go
// to the ends the events topic had when the run started.

#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "relmap/kafka/client.hpp"

namespace relmap::consumer {

/// Threading: the consumer's thread only.
class StreamEnd {
 public:
  /// --stop-at-end: the ends to reach, one per partition of the events topic, as at the start.
  void set_targets(std::vector<kafka::TopicPartition> ends);
  const std::vector<kafka::TopicPartition>& targets() const { return targets_; }

  /// A record of `partition` was read: it was not at its end.
  void note_record(std::int32_t partition) {
    if (!caught_up_.empty()) caught_up_.erase(partition);
  }
  /// A record of an owned partition was read: it counts towards that partition's target.
  void note_read(std::int32_t partition, std::int64_t offset);
  void note_end_of_partition(std::int32_t partition) { caught_up_.insert(partition); }
  /// `partition` is read again from its committed offset (restored).
  void forget_caught_up(std::int32_t partition) { caught_up_.erase(partition); }
  /// Consumption went back to the committed offsets: every target is unread again.
  void rewound();

  /// Every owned partition has been read to its current end, nothing read since.
  bool all_caught_up(const std::vector<std::int32_t>& owned) const;
  /// This instance itself has read every nonempty partition to its target.
  bool read_every_target() const { return unread_to_target_.empty(); }
  /// `positions` (committed offsets or consumer positions, in the targets' order) reach every target.
  bool reached(const std::vector<kafka::TopicPartition>& positions) const;

 private:
  std::vector<kafka::TopicPartition> targets_;
  std::map<std::int32_t, std::int64_t> unread_to_target_;  ///< the targets not yet read to, by partition
  std::set<std::int32_t> caught_up_;  ///< partitions whose end the consumer reported, nothing read since
};

}  // namespace relmap::consumer
