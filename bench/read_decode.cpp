// The floor under `relmap aggregate`'s rate: what any exactly-once aggregator of the contract must do
// before it applies anything. It reads a topic to its end as `relmap aggregate` reads it (read_committed,
// the same consumer settings, each partition's messages handed to one of the same apply shards) and
// decodes and validates every record there, and does nothing else: no state, no output, no
// transaction. bench/e2e times it beside `kcat -C` of the same topic.
// Usage: relmap_read_decode BROKERS TOPIC [THREADS]   (THREADS: as `relmap aggregate --threads`)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "relmap/consumer/apply_shard.hpp"
#include "relmap/consumer/stream_aggregator.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/schemas/decoder.hpp"

namespace {

using namespace std::chrono_literals;
using relmap::kafka::Message;

/// A shard's counts, on a cache line of its own: shards count every message, and sharing a line would
/// add a cost the aggregator does not have.
struct alignas(64) Tally {
  std::uint64_t valid = 0;
  std::uint64_t invalid = 0;
};

int read_and_decode(const std::string& brokers, const std::string& topic, std::size_t threads) {
  relmap::kafka::Config config;
  config.set("bootstrap.servers", brokers).set("group.id", "relmap-bench-floor").set("enable.auto.commit", "false")
      .set("isolation.level", "read_committed").set("enable.partition.eof", "true").set("auto.offset.reset", "earliest");
  relmap::kafka::Consumer consumer(config);
  // Each partition from its first offset, as an absolute offset, as the aggregator starts one: a
  // logical offset is looked up only after librdkafka 2.0.2's back-off.
  // The ends are known before reading, as `relmap aggregate --stop-at-end` knows them: waiting for the
  // broker to report an end would add its fetch.wait.max.ms (500 ms), which is not consumption.
  std::vector<relmap::kafka::TopicPartition> assignment;
  std::map<std::int32_t, std::int64_t> unfinished;  // partition -> its end (the next offset)
  const auto partitions = relmap::kafka::partition_counts(config, {topic}, 30s).front();
  for (std::int32_t partition = 0; partition < partitions; ++partition) {
    const auto watermarks = consumer.watermarks(topic, partition, 30s);
    if (watermarks.error) throw std::runtime_error(topic + ": " + watermarks.error.message());
    if (watermarks.high <= watermarks.low) continue;
    assignment.push_back({topic, partition, watermarks.low});
    unfinished[partition] = watermarks.high;
  }
  if (assignment.empty()) throw std::runtime_error(topic + " is empty or does not exist");
  consumer.assign(assignment);

  const relmap::schemas::Decoder decoder;
  std::vector<Tally> tallies(threads);
  std::vector<std::unique_ptr<relmap::consumer::ApplyShard<Message>>> shards;
  for (std::size_t shard = 0; shard < threads; ++shard) {
    shards.push_back(std::make_unique<relmap::consumer::ApplyShard<Message>>([&, shard](Message& message) {
      thread_local relmap::schemas::Event event;  // refilled for each message, as the aggregator decodes
      const auto invalid = decoder.decode_into(message.value(), event);
      ++(invalid ? tallies[shard].invalid : tallies[shard].valid);
    }));
  }
  while (!unfinished.empty()) {
    auto message = consumer.poll(100ms);
    if (!message) continue;
    if (message.is_end_of_partition()) {
      unfinished.erase(message.partition());
    } else if (!message.is_record()) {
      throw std::runtime_error("consume: " + message.error_text());
    } else {
      const auto partition = message.partition();
      if (const auto end = unfinished.find(partition); end != unfinished.end() && message.offset() + 1 >= end->second) {
        unfinished.erase(end);
      }
      shards[static_cast<std::size_t>(partition) % shards.size()]->add(std::move(message));
    }
  }
  Tally total;
  for (std::size_t shard = 0; shard < threads; ++shard) {
    shards[shard]->drain();
    total.valid += tallies[shard].valid;
    total.invalid += tallies[shard].invalid;
  }
  consumer.close();
  if (total.invalid > 0) {
    // The floor is the cost of valid events; a topic with others is not the benchmark's.
    std::fprintf(stderr, "relmap_read_decode: %llu of %llu records invalid\n", static_cast<unsigned long long>(total.invalid),
                 static_cast<unsigned long long>(total.valid + total.invalid));
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: relmap_read_decode BROKERS TOPIC [THREADS]\n");
    return 2;
  }
  const std::size_t threads = argc > 3 ? std::strtoul(argv[3], nullptr, 10)
                                       : relmap::consumer::StreamSettings{}.apply_threads;
  try {
    return read_and_decode(argv[1], argv[2], std::max<std::size_t>(threads, 1));
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "relmap_read_decode: %s\n", failure.what());
    return 1;
  }
}
