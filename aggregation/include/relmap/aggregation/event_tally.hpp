#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <utility>

#include "relmap/schemas/event.hpp"

namespace relmap::aggregation {

/// Counts of an event stream, the first layer of aggregation: distinct events (an event_id repeated
/// within its case counts once, in `duplicates`), rejects by reason, departments and cases named, and the
/// interactions between departments. Kafka-free: fed from a file or a topic alike.
///
/// Threading: not thread-safe; one owner adds.
class EventTally {
 public:
  /// Counts a valid event; false when its case had its event_id before (a duplicate, not counted again).
  bool add(const schemas::Event& event);
  /// Counts an invalid record by its reason code (schemas::to_string(DecodeErrc), or the aggregator's own).
  void add_rejected(const std::string& reason_code);

  using DepartmentPair = std::pair<std::string, std::string>;

  std::uint64_t events() const { return events_; }
  std::uint64_t duplicates() const { return duplicates_; }
  std::uint64_t rejected() const { return rejected_; }
  std::uint64_t cases() const { return cases_.size(); }
  const std::map<schemas::EventType, std::uint64_t>& by_type() const { return by_type_; }
  const std::map<std::string, std::uint64_t>& rejected_by_reason() const { return rejected_by_reason_; }
  const std::set<std::string>& departments() const { return departments_; }
  /// Requests and handoffs from -> to, the interactions behind the relationship map.
  const std::map<DepartmentPair, std::uint64_t>& interactions() const { return interactions_; }
  /// Responses declined ("not my role"), by (declining department, asking department).
  const std::map<DepartmentPair, std::uint64_t>& declined() const { return declined_; }

 private:
  std::unordered_set<std::string> event_ids_;
  std::unordered_set<std::string> cases_;
  std::uint64_t events_ = 0;
  std::uint64_t duplicates_ = 0;
  std::uint64_t rejected_ = 0;
  std::map<schemas::EventType, std::uint64_t> by_type_;
  std::map<std::string, std::uint64_t> rejected_by_reason_;
  std::set<std::string> departments_;
  std::map<DepartmentPair, std::uint64_t> interactions_;
  std::map<DepartmentPair, std::uint64_t> declined_;
};

}  // namespace relmap::aggregation
