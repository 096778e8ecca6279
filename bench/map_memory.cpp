// Peak resident memory of building the relationship map (all analytics) of random organisations of
// a given size (40 relationships per department, as in the 5,000 / 200,000 benchmark).
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "relmap/graph/random_organisation.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace {

long peak_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t departments = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 5000;
  const std::size_t relationships = departments * 40;
  const long before = peak_kib();
  const auto aggregates = relmap::graph::random_organisation(departments, relationships, 1);
  const long with_aggregates = peak_kib();
  const auto map = relmap::graph::build_relationship_map(aggregates);
  const long with_map = peak_kib();
  std::printf("%zu departments, %zu relationships: aggregates %ld KiB, map and analytics %ld KiB more; "
              "%.1f MiB per thousand departments in all\n",
              departments, relationships, with_aggregates - before, with_map - with_aggregates,
              static_cast<double>(with_map - before) / 1024.0 / (static_cast<double>(departments) / 1000.0));
  return map.departments.size() == departments ? 0 : 1;
}
