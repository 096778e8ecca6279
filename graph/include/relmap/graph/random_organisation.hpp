#pragma once

#include <cstddef>
#include <cstdint>

#include "relmap/graph/statistics.hpp"

namespace relmap::graph {

/// Aggregates of a random organisation of `departments` departments in teams of about 20, with
/// `relationships` distinct directed relationships (80% inside a team), each with 1-20 requests
/// (most resolved, some declined) and a few handoffs. For benchmarks and tests of the analytics at
/// scale; the same arguments give the same aggregates. Needs relationships <= departments^2 / 4.
Aggregates random_organisation(std::size_t departments, std::size_t relationships, std::uint64_t seed);

}  // namespace relmap::graph
