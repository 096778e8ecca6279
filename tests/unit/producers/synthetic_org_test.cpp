// The generator's planted patterns, measured on its output with the Kafka-free tally.
#include "relmap/producer/synthetic_org.hpp"

#include <gtest/gtest.h>

#include "relmap/aggregation/event_tally.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::producer {
namespace {

struct Generated {
  aggregation::EventTally tally;
  std::uint64_t records = 0;
  std::uint64_t rejected = 0;
  std::string first_record;
};

Generated generate(const GeneratorSettings& settings) {
  const schemas::Decoder decoder;
  Generated generated;
  generate_organisation(settings, [&](std::string_view record) {
    if (generated.records++ == 0) generated.first_record = std::string(record);
    const auto decoded = decoder.decode(record);
    if (decoded.has_value()) {
      generated.tally.add(decoded.value());
    } else {
      ++generated.rejected;
    }
  });
  return generated;
}

TEST(SyntheticOrganisation, SameSeedSameEventsOtherSeedOtherEvents) {
  const auto first = generate({.seed = 11, .cases = 500});
  const auto again = generate({.seed = 11, .cases = 500});
  const auto other = generate({.seed = 12, .cases = 500});
  EXPECT_EQ(first.records, again.records);
  EXPECT_EQ(first.first_record, again.first_record);
  EXPECT_EQ(first.tally.interactions(), again.tally.interactions());
  EXPECT_NE(first.tally.interactions(), other.tally.interactions());
}

TEST(SyntheticOrganisation, PlantsItsPatterns) {
  const auto generated = generate({.seed = 5, .cases = 20000});
  const auto& interactions = generated.tally.interactions();
  const auto between = [&](std::string_view a, std::string_view b) {
    const auto found = interactions.find({std::string(a), std::string(b)});
    return found == interactions.end() ? 0 : found->second;
  };
  // Island: Archive and Records talk only to each other.
  for (const auto& [pair, count] : interactions) {
    const bool first_in = pair.first == "Archive" || pair.first == "Records";
    const bool second_in = pair.second == "Archive" || pair.second == "Records";
    EXPECT_EQ(first_in, second_in) << pair.first << " -> " << pair.second;
  }
  // Silo: under 5% of the silo's interactions cross its border.
  std::uint64_t internal = 0;
  std::uint64_t external = 0;
  const auto in_silo = [](const std::string& department) {
    return department == "Research" || department == "Patents" || department == "Lab";
  };
  for (const auto& [pair, count] : interactions) {
    if (in_silo(pair.first) && in_silo(pair.second)) internal += count;
    if (in_silo(pair.first) != in_silo(pair.second)) external += count;
  }
  EXPECT_GT(internal, 1000u);
  EXPECT_LT(static_cast<double>(external) / static_cast<double>(internal + external), 0.05);
  EXPECT_GT(external, 0u) << "a silo, not an island";
  // Imbalance: Sales asks IT far more than IT asks Sales.
  EXPECT_GT(between("Sales", "IT"), 10 * between("IT", "Sales"));
  // Ping-pong: Billing and Returns hand cases back and forth more than any other pair.
  const auto back_and_forth = std::min(between("Billing", "Returns"), between("Returns", "Billing"));
  for (const auto& [pair, count] : interactions) {
    if ((pair.first == "Billing" && pair.second == "Returns") || (pair.first == "Returns" && pair.second == "Billing")) continue;
    EXPECT_LT(std::min(count, between(pair.second, pair.first)), back_and_forth) << pair.first << " <-> " << pair.second;
  }
  // Hotspot: Legal declines the largest share of what it is asked.
  std::map<std::string, std::uint64_t> declined_by;
  for (const auto& [pair, count] : generated.tally.declined()) declined_by[pair.first] += count;
  EXPECT_GT(declined_by["Legal"], 0u);
}

TEST(SyntheticOrganisation, AddsTheNoiseItIsAskedFor) {
  const auto noisy = generate({.seed = 9, .cases = 3000, .duplicate_rate = 0.05, .out_of_order_rate = 0.2, .invalid_rate = 0.01});
  EXPECT_GT(noisy.tally.duplicates(), 0u);
  EXPECT_GT(noisy.rejected, 0u);
  EXPECT_EQ(noisy.records, noisy.tally.events() + noisy.tally.duplicates() + noisy.rejected);
}

}  // namespace
}  // namespace relmap::producer
