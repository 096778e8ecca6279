// The aggregator's apply threads: items applied in the order added, all of them by drain(), and a
// failure reported to the caller.
#include "relmap/consumer/apply_shard.hpp"

#include <memory>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace relmap::consumer {
namespace {

TEST(ApplyShard, AppliesEveryItemInOrderOnItsOwnThreadByTheDrain) {
  std::vector<int> applied;
  std::thread::id applied_on;
  ApplyShard<std::unique_ptr<int>> shard([&](std::unique_ptr<int>& item) {
    applied.push_back(*item);
    applied_on = std::this_thread::get_id();
  });
  // More than a chunk, and not a multiple of one: drain() hands over the rest.
  constexpr int kItems = 1000;
  for (int i = 0; i < kItems; ++i) shard.add(std::make_unique<int>(i));
  shard.drain();
  ASSERT_EQ(applied.size(), static_cast<std::size_t>(kItems));
  for (int i = 0; i < kItems; ++i) ASSERT_EQ(applied[static_cast<std::size_t>(i)], i);
  EXPECT_NE(applied_on, std::this_thread::get_id());

  // It goes on after a drain.
  shard.add(std::make_unique<int>(kItems));
  shard.drain();
  EXPECT_EQ(applied.back(), kItems);
}

TEST(ApplyShard, ADrainRethrowsWhatApplyingThrewAndTheShardGoesOn) {
  std::vector<int> applied;
  ApplyShard<int> shard([&](int& item) {
    if (item == 3) throw std::runtime_error("cannot apply 3");
    applied.push_back(item);
  });
  for (int i = 0; i < 5; ++i) shard.add(i);
  EXPECT_THROW(shard.drain(), std::runtime_error);
  EXPECT_EQ(applied, (std::vector<int>{0, 1, 2}));
  shard.add(7);
  EXPECT_NO_THROW(shard.drain());
  EXPECT_EQ(applied.back(), 7);
}

}  // namespace
}  // namespace relmap::consumer
