// Heap bytes the aggregator holds per case in memory, on a generated organisation (about 7 events a
// case: requests with responses, handoffs, feedback). Not a test: a measurement to report.
// Usage: relmap_aggregator_memory [cases]
#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "relmap/consumer/aggregator.hpp"
#include "relmap/producer/synthetic_org.hpp"
#include "relmap/schemas/decoder.hpp"

int main(int argc, char** argv) {
  const std::uint64_t cases = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  const relmap::schemas::Decoder decoder;
  std::vector<relmap::schemas::Event> events;
  relmap::producer::generate_organisation({.seed = 1, .cases = cases}, [&](std::string_view record) {
    events.push_back(decoder.decode(record).value());
  });
  malloc_trim(0);
  const auto before = mallinfo2().uordblks;
  {
    relmap::consumer::Aggregator aggregator;
    std::vector<relmap::consumer::LateRejection> late;
    for (const auto& event : events) aggregator.apply(event, late);
    const auto after = mallinfo2().uordblks;
    const double per_case = static_cast<double>(after - before) / static_cast<double>(aggregator.cases_in_memory());
    std::printf("%llu cases, %zu events: %.0f bytes of heap per case in memory (%.1f per event)\n",
                static_cast<unsigned long long>(aggregator.cases_in_memory()), events.size(), per_case,
                static_cast<double>(after - before) / static_cast<double>(events.size()));
  }
  return 0;
}
