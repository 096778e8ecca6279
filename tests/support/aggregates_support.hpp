#pragma once
// Aggregates written by hand, for tests that need a few relationships with chosen figures.

#include <cstdint>

#include "relmap/graph/statistics.hpp"

namespace relmap::testing {

/// `requests` from a to b, of which b declined `declined` and resolved the rest.
inline void ask(graph::Aggregates& aggregates, const char* a, const char* b, std::uint64_t requests,
                std::uint64_t declined) {
  auto& edge = aggregates.edges[{a, b}];
  edge.requests = requests;
  edge.declined = declined;
  edge.resolved = requests - declined;
  aggregates.departments.insert(a);
  aggregates.departments.insert(b);
}

}  // namespace relmap::testing
