#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace relmap::graph {

/// Inclusive UTC days ("2026-03-02"); empty = unbounded.
struct Window {
  std::optional<std::string> from;
  std::optional<std::string> to;
  bool contains(const std::string& day) const {
    return (!from || day >= *from) && (!to || day <= *to);
  }
};

/// Statistics of the directed relationship A -> B, as docs/contract.md defines them.
struct EdgeStats {
  std::uint64_t requests = 0;
  std::uint64_t resolved = 0;
  std::uint64_t declined = 0;
  std::uint64_t redirected = 0;
  std::uint64_t open = 0;
  std::uint64_t expired = 0;
  std::uint64_t handoffs = 0;
  std::uint64_t ping_pong = 0;
  std::uint64_t andon = 0;
  std::vector<double> response_times_s;  ///< one per answered request (for the percentiles)

  std::uint64_t dead_ends() const { return declined + expired; }
};

struct Totals {
  std::uint64_t events = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::uint64_t cases = 0;
  /// Of `cases`, those whose ownership never moved (an imported trace with one department, a case of
  /// requests alone): counted once all of a case's events are joined, never per partition.
  std::uint64_t cases_without_handoff = 0;
};

struct FeedbackCounts {
  std::uint64_t solved = 0;
  std::uint64_t unsolved = 0;
};

/// How a case ended (docs/contract.md, "Cases").
enum class CaseEnd { solved, dead_end, open };

const char* to_string(CaseEnd end);

/// One case's service chain: the owners its handoffs passed it through.
struct CaseChain {
  std::string case_id;
  std::string started;               ///< UTC day of its first request or handoff
  std::vector<std::string> owners;   ///< the first owner, then each handoff's `to`; without handoffs the first request's `to`
  std::uint64_t ping_pongs = 0;
  CaseEnd end = CaseEnd::open;
  std::size_t dead_end_step = 0;     ///< for a dead end: 1-based position in `owners` of the owner when it was asked
  std::string dead_end_at;           ///< for a dead end: the department that declined or let it expire
};

/// Requests about one topic on one relationship.
struct TopicStats {
  std::uint64_t requests = 0;
  std::uint64_t dead_ends = 0;
};

/// (from, to, topic)
using TopicKey = std::tuple<std::string, std::string, std::string>;

/// What the aggregation hands the graph: everything needed for one window, from all partitions.
struct Aggregates {
  std::optional<std::string> watermark;  ///< RFC 3339, the largest event time seen
  Window window;
  Totals totals;
  std::set<std::string> departments;  ///< every department named by a valid event
  std::map<std::pair<std::string, std::string>, EdgeStats> edges;
  std::map<std::string, FeedbackCounts> feedback;  ///< by the department it is about
  std::vector<CaseChain> chains;                   ///< cases that started in the window, by case id
  std::map<TopicKey, TopicStats> topics;           ///< requests in the window that named a topic
};

/// When a relationship's dead ends earn an alert: `relmap alerts` publishes one for each, and
/// `relmap serve --events` shows them.
struct DeadEndAlertRule {
  double threshold = 0.5;               ///< dead ends / requests at least this ...
  std::uint64_t minimum_requests = 20;  ///< ... over at least this many requests

  bool alerts(const EdgeStats& stats) const {
    return stats.requests > 0 && stats.requests >= minimum_requests &&
           static_cast<double>(stats.dead_ends()) / static_cast<double>(stats.requests) >= threshold;
  }
};

/// part / whole; nullopt for a whole of 0 (the contract's rates are null where their denominator is 0).
std::optional<double> ratio(std::uint64_t part, std::uint64_t whole);

/// The nearest-rank percentile: the ceil(q * n)-th smallest value; nullopt for no values.
std::optional<double> nearest_rank(std::vector<double> values, double q);

}  // namespace relmap::graph
