#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
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

/// Statistics of the directed relationship A -> B, as CONTRACT.md defines them.
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
};

struct FeedbackCounts {
  std::uint64_t solved = 0;
  std::uint64_t unsolved = 0;
};

/// What the aggregation hands the graph: everything needed for one window, from all partitions.
struct Aggregates {
  std::optional<std::string> watermark;  ///< RFC 3339, the largest event time seen
  Window window;
  Totals totals;
  std::set<std::string> departments;  ///< every department named by a valid event
  std::map<std::pair<std::string, std::string>, EdgeStats> edges;
  std::map<std::string, FeedbackCounts> feedback;  ///< by the department it is about
};

/// The nearest-rank percentile: the ceil(q * n)-th smallest value; nullopt for no values.
std::optional<double> nearest_rank(std::vector<double> values, double q);

}  // namespace relmap::graph
