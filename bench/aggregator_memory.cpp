// Heap bytes the aggregator holds per case in memory, on a generated organisation (about 7 events a
// case: requests with responses, handoffs, feedback), counted by jemalloc, the relmap binary's
// allocator (size classes included). Not a test: a measurement to report.
// Usage: relmap_aggregator_memory [cases]
#include <jemalloc/jemalloc.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "relmap/consumer/aggregator.hpp"
#include "relmap/producer/synthetic_org.hpp"
#include "relmap/schemas/decoder.hpp"

namespace {

/// Bytes the process has allocated and not freed, as jemalloc counts them.
std::size_t heap_in_use() {
  std::uint64_t epoch = 1;  // refreshes jemalloc's statistics
  std::size_t size = sizeof(epoch);
  mallctl("epoch", &epoch, &size, &epoch, size);
  std::size_t allocated = 0;
  size = sizeof(allocated);
  if (mallctl("stats.allocated", &allocated, &size, nullptr, 0) != 0) {
    throw std::runtime_error("jemalloc keeps no statistics: is it the process's malloc?");
  }
  return allocated;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t cases = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const relmap::schemas::Decoder decoder;
  std::vector<relmap::schemas::Event> events;
  relmap::producer::generate_organisation({.seed = 1, .cases = cases}, [&](std::string_view record) {
    events.push_back(decoder.decode(record).value());
  });
  const auto before = heap_in_use();
  {
    relmap::consumer::Aggregator aggregator;
    std::vector<relmap::consumer::LateRejection> late;
    for (const auto& event : events) aggregator.apply(event, late);
    const auto after = heap_in_use();
    const double per_case = static_cast<double>(after - before) / static_cast<double>(aggregator.cases_in_memory());
    std::printf("%llu cases, %zu events: %.0f bytes of heap per case in memory (%.1f per event)\n",
                static_cast<unsigned long long>(aggregator.cases_in_memory()), events.size(), per_case,
                static_cast<double>(after - before) / static_cast<double>(events.size()));
  }
  return 0;
}
