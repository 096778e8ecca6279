#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <absl/container/node_hash_map.h>
#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>

#include "relmap/common/time.hpp"
#include "relmap/aggregation/department_name.hpp"
#include "relmap/graph/statistics.hpp"
#include "relmap/schemas/event.hpp"

namespace relmap::aggregation {

/// One request and its latest response, or responses waiting for a request not seen yet.
struct RequestState {
  bool seen = false;  ///< the request itself arrived
  DepartmentName from;
  DepartmentName to;
  std::string topic;  ///< empty when the request named none
  Timestamp asked_at{};
  Timestamp due_at{};
  bool answered = false;
  schemas::Outcome outcome = schemas::Outcome::resolved;
  Timestamp answered_at{};
  std::string answer_event_id;          ///< breaks ties between responses at the same instant
  std::vector<schemas::Event> waiting;  ///< responses that came before the request
};

struct HandoffRecord {
  Timestamp at;
  std::string event_id;
  DepartmentName from;  ///< empty: the handoff opened the case at `to` (no `from`; ids are never empty)
  DepartmentName to;
};

struct FeedbackRecord {
  Timestamp at;
  std::string event_id;
  bool solved = false;
  std::optional<std::string> about;  ///< as given; else the owner at that time, resolved when read
};

struct AndonRecord {
  Timestamp at;
  std::string from;
  std::string about;
};

/// The departments a case names, sorted; a flat set because a case names only a few.
using DepartmentSet = boost::container::flat_set<std::string>;

/// The event ids a case has seen, as 64-bit hashes, sorted: 8 bytes an id instead of a tree node
/// and a string (per-case memory is the aggregator's limit). Two ids of one case would have to
/// collide for an event to be miscounted as a duplicate: odds of about n^2 / 2^65 for n ids.
using EventIdHashes = boost::container::flat_set<std::uint64_t>;
/// XXH3 of the id: stable across builds and machines, since the changelog stores it.
std::uint64_t event_id_hash(std::string_view event_id);

/// Everything the aggregator keeps of one case (all its events share a partition, by key).
/// An andon without a case is a case of its own, keyed "andon:<event_id>".
struct CaseState {
  EventIdHashes event_ids;  ///< seen: a repeat is a duplicate
  boost::container::flat_map<std::string, RequestState> requests;  ///< by request_id (a case has few)
  std::vector<HandoffRecord> handoffs;           ///< in event time (occurred_at, then event_id)
  std::vector<FeedbackRecord> feedback;
  std::vector<AndonRecord> andons;
  boost::container::flat_set<DepartmentName> departments;  ///< named by its valid events
  Timestamp last_event{};             ///< for retention
  bool changed = false;               ///< listed among the changed cases; bookkeeping, not written
};

/// What a case contributes to the statistics, final for its current events: requests with their
/// outcome, handoffs with their ping-pong, feedback with the department it is about, andons.
struct CaseFacts {
  struct Request {
    std::string from;
    std::string to;
    std::string topic;
    Timestamp asked_at{};
    Timestamp due_at{};
    std::optional<schemas::Outcome> outcome;  ///< none: not answered
    Timestamp answered_at{};
  };
  struct Handoff {
    std::string from;  ///< empty: the handoff opened the case at `to`, a relationship of no one
    std::string to;
    Timestamp at{};
    bool ping_pong = false;  ///< the previous handoff of the case went to -> from

    bool opens_case() const { return from.empty(); }
    /// Ownership moved between two departments: a relationship's handoff, a step of the chain.
    bool moves_case() const { return !from.empty(); }
  };
  struct Feedback {
    std::string about;
    Timestamp at{};
    bool solved = false;
  };
  std::vector<Request> requests;
  std::vector<Handoff> handoffs;
  std::vector<Feedback> feedback;
  std::vector<AndonRecord> andons;
  DepartmentSet departments;
};

CaseFacts facts_of(const CaseState& state);

/// Which life of its case a state is: a case that left memory and came back starts a new life, with
/// other events. XXH3 of its event-id hashes: the same for the same events, so a reader that finds
/// a life both as a state and as the facts it left with counts it once.
std::uint64_t life_of(const CaseState& state);

/// Counts and event time of one partition.
struct PartitionTotals {
  graph::Totals totals;
  std::optional<Timestamp> watermark;  ///< the largest occurred_at of an event that passed decoding
};

/// A valid event that the contract still rejects once its context is known: a response whose
/// from/to do not mirror its request. It goes to the dead-letter topic like any invalid record.
struct LateRejection {
  schemas::Event event;
  std::string code;    ///< "response_mismatch"
  std::string reason;  ///< "/from: the request r1 was made to B, not C"
};

/// The state of one input partition, fed events in offset order. Kafka-free: `relmap map --events`
/// and the streaming aggregator (which persists the changed cases) run this same code.
///
/// Threading: not thread-safe; one owner applies events, then reads.
class Aggregator {
 public:
  enum class Applied { counted, duplicate };

  /// The case key of an event: its case_id, or "andon:<event_id>" for an andon without a case.
  static std::string case_key(const schemas::Event& event);

  /// Applies one valid event. Late rejections (responses found not to mirror their request) are
  /// appended so the caller can dead-letter them; they count as rejected, not as events.
  Applied apply(const schemas::Event& event, std::vector<LateRejection>& late_rejections);
  /// Counts a record that failed decoding.
  void count_rejected();

  /// What changed since the last call: the totals, and which cases, each with its state (valid until
  /// the aggregator next changes).
  struct Changes {
    bool totals = false;
    std::vector<std::pair<std::string, const CaseState*>> cases;
  };
  Changes take_changes();
  /// Removes the cases whose last event is older than `retention` before the watermark and returns
  /// them, each with its state (the streaming aggregator writes their facts as they leave).
  std::vector<std::pair<std::string, CaseState>> expire_idle_cases(std::chrono::hours retention);

  /// Puts back what a changelog holds (restore after a restart or a rebalance).
  void restore_case(const std::string& key, CaseState state);
  void restore_totals(const PartitionTotals& totals) { totals_ = totals; }

  const PartitionTotals& totals() const { return totals_; }
  /// Abseil's node map, a Swiss table of pointers to the cases: applying an event among 180,000 cases
  /// takes a fifth less CPU than with std::unordered_map (BM_AggregatorStream). Its index, 9 bytes a
  /// case, mostly stays in cache; std::unordered_map's lookup reads another case's node (the bucket's
  /// predecessor), a cache miss, before it reaches the case.
  using CaseMap = absl::node_hash_map<std::string, CaseState>;
  const CaseMap& cases() const { return cases_; }
  std::size_t cases_in_memory() const { return cases_.size(); }

 private:
  void apply_request(const schemas::Event& event, const schemas::Request& request, CaseState& state,
                     std::vector<LateRejection>& late_rejections);
  std::optional<LateRejection> apply_response(const schemas::Event& event, RequestState& request);
  void reject_late(LateRejection rejection, std::vector<LateRejection>& late_rejections);

  CaseMap cases_;
  std::vector<std::string> changed_cases_;  ///< since the last take, each once (CaseState::changed)
  bool totals_changed_ = false;
  PartitionTotals totals_;
};

/// The facts of every case and the totals of every partition: what the aggregates of any window are
/// built from (`expired` is decided against the global watermark, the largest of all partitions).
class AggregatesBuilder {
 public:
  void add_partition(const PartitionTotals& totals);
  /// Adds the facts of one life of a case. The lives of a case that left memory and came back are
  /// joined into one case: its requests, handoffs (in event time), feedback and andons all count, and
  /// it counts once among the cases (each life counted one in its partition's totals).
  void add_case(std::string case_key, CaseFacts facts);
  bool has_case(const std::string& case_key) const { return facts_.count(case_key) > 0; }
  /// Replaces the partitions' count of rejected records (the streamed path counts the dead-letter topic).
  void set_rejected(std::uint64_t rejected) { totals_.rejected = rejected; }

  const std::optional<Timestamp>& watermark() const { return watermark_; }
  graph::Aggregates build(const graph::Window& window) const;

  /// Every case's facts, by case key: the evidence behind the counts (the service's case journeys).
  const std::map<std::string, CaseFacts>& cases() const { return facts_; }

 private:
  graph::Totals totals_;
  std::uint64_t later_lives_ = 0;  ///< lives joined to an earlier one of their case
  std::optional<Timestamp> watermark_;
  std::map<std::string, CaseFacts> facts_;  ///< by case key
};

/// Whether a request is a dead end (docs/contract.md): declined, or unanswered past its due time at
/// the watermark.
bool is_dead_end(const CaseFacts::Request& request, const std::optional<Timestamp>& watermark);

/// The facts of in-memory aggregators (the offline path).
AggregatesBuilder snapshot_of(const std::vector<const Aggregator*>& partitions);

/// The aggregates of in-memory aggregators for one window.
inline graph::Aggregates collect_aggregates(const std::vector<const Aggregator*>& partitions, const graph::Window& window) {
  return snapshot_of(partitions).build(window);
}

}  // namespace relmap::aggregation
