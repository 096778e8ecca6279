#include "relmap/graph/random_organisation.hpp"

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace relmap::graph {

Aggregates random_organisation(std::size_t departments, std::size_t relationships, std::uint64_t seed) {
  if (departments < 2 || relationships > departments * departments / 4) {
    throw std::invalid_argument("random_organisation: too many relationships for the departments");
  }
  constexpr std::size_t kTeam = 20;
  std::mt19937_64 random(seed);
  std::vector<std::string> ids(departments);
  Aggregates aggregates;
  for (std::size_t i = 0; i < departments; ++i) {
    ids[i] = "D" + std::to_string(i);
    aggregates.departments.insert(ids[i]);
  }
  std::uniform_int_distribution<std::size_t> any(0, departments - 1);
  std::uniform_int_distribution<std::size_t> teammate(0, kTeam - 1);
  std::uniform_int_distribution<std::uint64_t> requests(1, 20);
  std::bernoulli_distribution inside_team(0.8);
  while (aggregates.edges.size() < relationships) {
    const std::size_t from = any(random);
    std::size_t to = inside_team(random) ? (from / kTeam) * kTeam + teammate(random) : any(random);
    if (to >= departments || to == from) continue;
    auto [edge, inserted] = aggregates.edges.try_emplace({ids[from], ids[to]});
    if (!inserted) continue;
    auto& stats = edge->second;
    stats.requests = requests(random);
    stats.declined = stats.requests / 8;
    stats.resolved = stats.requests - stats.declined;
    stats.handoffs = stats.requests / 4;
    for (std::uint64_t i = 0; i < stats.resolved; ++i) stats.response_times_s.push_back(static_cast<double>(600 * (i + 1)));
  }
  return aggregates;
}

}  // namespace relmap::graph
