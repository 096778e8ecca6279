// Memory the aggregator holds per case in memory, on a generated organisation (about 6 events a
// case: requests with responses, handoffs, feedback): the heap bytes jemalloc (the relmap binary's
// allocator) counts, size classes included, and the growth of the process's resident set, the
// allocator's own overhead and unused pages included. Not a test: a measurement to report.
// Usage: relmap_aggregator_memory [cases]
#include <jemalloc/jemalloc.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>

#include "relmap/aggregation/aggregator.hpp"
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

/// The process's resident set now, in bytes (VmRSS of /proc/self/status).
std::size_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  throw std::runtime_error("no VmRSS in /proc/self/status");
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t cases = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const relmap::schemas::Decoder decoder;
  std::vector<relmap::schemas::Event> events;
  relmap::producer::generate_organisation({.seed = 1, .cases = cases}, [&](std::string_view record) {
    events.push_back(decoder.decode(record).value());
  });
  const auto heap_before = heap_in_use();
  const auto resident_before = resident_bytes();
  {
    relmap::aggregation::Aggregator aggregator;
    std::vector<relmap::aggregation::LateRejection> late;
    for (const auto& event : events) aggregator.apply(event, late);
    const double heap = static_cast<double>(heap_in_use() - heap_before);
    const double resident = static_cast<double>(resident_bytes() - resident_before);
    const double open_cases = static_cast<double>(aggregator.cases_in_memory());
    std::printf("%llu cases, %zu events: %.0f bytes of heap per case in memory (%.1f per event); resident set "
                "%.0f bytes per case, %.2f GiB per million open cases\n",
                static_cast<unsigned long long>(aggregator.cases_in_memory()), events.size(), heap / open_cases,
                heap / static_cast<double>(events.size()), resident / open_cases, resident / open_cases * 1e6 / (1 << 30));
  }
  return 0;
}
