#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "relmap/common/time.hpp"
#include "relmap/graph/statistics.hpp"
#include "relmap/schemas/event.hpp"

namespace relmap::consumer {

/// One request and its latest response.
struct RequestState {
  bool seen = false;  ///< the request itself arrived (responses may come first and wait)
  std::string from;
  std::string to;
  std::string case_id;
  Timestamp asked_at{};
  Timestamp due_at{};
  std::optional<std::string> topic;
  bool answered = false;
  schemas::Outcome outcome = schemas::Outcome::resolved;
  Timestamp answered_at{};
  std::string answer_event_id;          ///< breaks ties between responses at the same instant
  std::vector<schemas::Event> waiting;  ///< responses that came before the request
};

struct HandoffRecord {
  Timestamp at;
  std::string event_id;
  std::string from;
  std::string to;
};

struct FeedbackRecord {
  Timestamp at;
  std::string event_id;
  bool solved = false;
  std::optional<std::string> about;  ///< as given; else resolved to the owner when read
};

struct AndonRecord {
  Timestamp at;
  std::string from;
  std::string about;
};

/// What the aggregator keeps of one case.
struct CaseState {
  std::vector<HandoffRecord> handoffs;  ///< in event time (occurred_at, then event_id)
  std::vector<std::string> request_ids;
  std::vector<FeedbackRecord> feedback;
};

/// A valid event that the contract still rejects once its context is known: a response whose
/// from/to do not mirror its request. It goes to the dead-letter topic like any invalid record.
struct LateRejection {
  schemas::Event event;
  std::string code;    ///< "response_mismatch"
  std::string reason;  ///< "/from: the request was made to Legal, not Sales"
};

/// The state of one input partition, fed events in offset order, answering the contract's
/// statistics for any window. Kafka-free: `relmap map --events FILE` and the streaming aggregator
/// run this same code.
///
/// Threading: not thread-safe; one owner applies events, then reads.
class Aggregator {
 public:
  enum class Applied { counted, duplicate };

  /// Applies one valid event. Late rejections (held responses found not to mirror their request)
  /// are returned so the caller can dead-letter them; they are counted as rejected, not as events.
  Applied apply(const schemas::Event& event, std::vector<LateRejection>& late_rejections);
  /// Counts a record that failed decoding.
  void count_rejected() { ++totals_.rejected; }

  Timestamp watermark() const { return watermark_; }
  bool has_events() const { return totals_.events > 0; }
  const graph::Totals& totals() const { return totals_; }
  const std::unordered_map<std::string, RequestState>& requests() const { return requests_; }
  const std::unordered_map<std::string, CaseState>& cases() const { return cases_; }
  const std::vector<AndonRecord>& andons() const { return andons_; }
  const std::unordered_set<std::string>& departments() const { return departments_; }

 private:
  void apply_request(const schemas::Event& event, const schemas::Request& request,
                     std::vector<LateRejection>& late_rejections);
  /// Applies a response to its (known) request; returns the mismatch, if any.
  std::optional<LateRejection> apply_response(const schemas::Event& event, RequestState& state);
  void apply_handoff(const schemas::Event& event, const schemas::Handoff& handoff);

  std::unordered_set<std::string> event_ids_;
  std::unordered_map<std::string, RequestState> requests_;
  std::unordered_map<std::string, CaseState> cases_;
  std::vector<AndonRecord> andons_;
  std::unordered_set<std::string> departments_;
  graph::Totals totals_;
  Timestamp watermark_{};
};

/// Everything the graph needs for `window`, from the aggregators of all partitions; `expired` is
/// decided against the global watermark (the largest of all partitions).
graph::Aggregates collect_aggregates(const std::vector<const Aggregator*>& partitions, const graph::Window& window);

}  // namespace relmap::consumer
