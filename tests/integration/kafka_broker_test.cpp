// The Kafka wrapper against a real Apache Kafka broker (RELMAP_KAFKA_BROKERS): what relmap relies on
// works on the broker version deploy/kafka-local runs, and a client from outside (kcat) interoperates.
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include "../support/kafka_support.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::kafka {
namespace {

using namespace std::chrono_literals;
using relmap::testing::consume;
using relmap::testing::real_brokers;
using relmap::testing::run_command;
using relmap::testing::test_config;
using relmap::testing::unique_name;

std::string create_topic(int partitions) {
  const std::string topic = unique_name("topic");
  create_topics(test_config(real_brokers()), {{topic, partitions, 1, {}}}, 30s);
  return topic;
}

/// `count` topics of new names, and their names.
struct NewTopics {
  std::vector<NewTopic> topics;
  std::vector<std::string> names;
};
NewTopics new_topics(const std::string& prefix, int count, int partitions) {
  NewTopics made;
  for (int i = 0; i < count; ++i) {
    made.names.push_back(unique_name(prefix));
    made.topics.push_back({made.names.back(), partitions, 1, {}});
  }
  return made;
}

Config group_config(const std::string& group) {
  Config config = test_config(real_brokers());
  config.set("group.id", group).set("auto.offset.reset", "earliest").set("enable.auto.commit", "false");
  return config;
}

void produce_values(const std::string& topic, int count, const std::string& prefix = "m") {
  std::atomic<int> failed{0};
  Producer producer(test_config(real_brokers()), [&](const Delivery& delivery) { failed += delivery.error ? 1 : 0; });
  for (int i = 0; i < count; ++i) {
    ASSERT_FALSE(producer.produce(topic, "key-" + std::to_string(i % 7), prefix + std::to_string(i)));
  }
  ASSERT_FALSE(producer.flush(30s));
  ASSERT_EQ(failed.load(), 0);
}

TEST(RealBroker, CreatingATopicIsIdempotent) {
  const std::string topic = create_topic(3);
  EXPECT_NO_THROW(create_topics(test_config(real_brokers()), {{topic, 3, 1, {}}}, 30s));
  EXPECT_EQ(partition_count(test_config(real_brokers()), topic, 10s), 3);
  EXPECT_EQ(partition_count(test_config(real_brokers()), unique_name("absent"), 10s), 0);
}

// The broker answers CreateTopics once its controller has the topics, and serves them in metadata a
// moment later: a command run right after `relmap topics create` (relmap produce checks that its
// topics exist) must find them all the same.
TEST(RealBroker, CreatedTopicsAreInMetadataAsSoonAsCreateReturns) {
  for (int round = 0; round < 10; ++round) {
    const auto [topics, names] = new_topics("created", 6, 6);
    create_topics(test_config(real_brokers()), topics, 30s);
    EXPECT_EQ(partition_counts(test_config(real_brokers()), names, 10s), std::vector<int>(names.size(), 6)) << "round " << round;
  }
}

TEST(RealBroker, DeletingATopicRemovesItAndIsIdempotent) {
  const std::string topic = create_topic(2);
  produce_values(topic, 3);
  delete_topics(test_config(real_brokers()), {topic}, 30s);
  EXPECT_EQ(partition_count(test_config(real_brokers()), topic, 10s), 0);
  EXPECT_NO_THROW(delete_topics(test_config(real_brokers()), {topic, unique_name("absent")}, 30s));
}

// The same for deletion: `relmap topics delete` then `relmap topics create` of the same names (a
// fresh start) must find them gone, and make them anew with the partitions asked for.
TEST(RealBroker, DeletedTopicsAreGoneFromMetadataAsSoonAsDeleteReturns) {
  for (int round = 0; round < 10; ++round) {
    auto [topics, names] = new_topics("deleted", 6, 2);
    create_topics(test_config(real_brokers()), topics, 30s);
    delete_topics(test_config(real_brokers()), names, 30s);
    EXPECT_EQ(partition_counts(test_config(real_brokers()), names, 10s), std::vector<int>(names.size(), 0)) << "round " << round;
    for (auto& topic : topics) topic.partitions = 3;
    create_topics(test_config(real_brokers()), topics, 30s);
    EXPECT_EQ(partition_counts(test_config(real_brokers()), names, 10s), std::vector<int>(names.size(), 3)) << "round " << round;
  }
}

TEST(RealBroker, KcatAndTheWrapperReadEachOthersMessages) {
  const std::string topic = create_topic(1);
  const std::string brokers = real_brokers();
  // kcat -> relmap
  run_command("printf 'k1:from-kcat-1\\nk2:from-kcat-2\\n' | kcat -b " + brokers + " -t " + topic + " -P -K: -z none");
  Consumer consumer(group_config(unique_name("group")));
  consumer.subscribe({topic});
  const auto from_kcat = consume(consumer, 2, 30s);
  ASSERT_EQ(from_kcat.size(), 2u);
  EXPECT_EQ(from_kcat[0].key, "k1");
  EXPECT_EQ(from_kcat[0].value, "from-kcat-1");
  EXPECT_EQ(from_kcat[1].value, "from-kcat-2");
  // relmap -> kcat
  {
    Producer producer(test_config(brokers));
    ASSERT_FALSE(producer.produce(topic, "k3", "from-relmap", {{"relmap.reason", "none"}}));
    ASSERT_FALSE(producer.flush(30s));
  }
  const auto read_back = run_command("kcat -b " + brokers + " -t " + topic + " -C -o 2 -c 1 -e -f '%k|%s|%h'");
  EXPECT_EQ(read_back, "k3|from-relmap|relmap.reason=none");
}

TEST(RealBroker, IdempotentProducerDeliversEveryMessageOnce) {
  const std::string topic = create_topic(3);
  std::atomic<int> acknowledged{0};
  std::set<std::int64_t> offsets_seen;
  Producer producer(test_config(real_brokers()), [&](const Delivery& delivery) {
    EXPECT_FALSE(delivery.error);
    EXPECT_GE(delivery.offset, 0);
    ++acknowledged;
  });
  for (int i = 0; i < 2000; ++i) ASSERT_FALSE(producer.produce(topic, "case-" + std::to_string(i % 50), std::to_string(i)));
  ASSERT_FALSE(producer.flush(30s));
  EXPECT_EQ(acknowledged.load(), 2000);
  EXPECT_FALSE(producer.fatal_error());

  std::int64_t total = 0;
  for (const auto& partition : high_watermarks(test_config(real_brokers()), topic, 10s)) total += partition.offset;
  EXPECT_EQ(total, 2000) << "the log holds each message exactly once";

  // Same key, same partition: all events of one case stay ordered.
  Consumer consumer(group_config(unique_name("group")));
  consumer.subscribe({topic});
  std::map<std::string, std::set<std::int32_t>> partitions_of_key;
  for (const auto& record : consume(consumer, 2000, 60s)) partitions_of_key[record.key].insert(record.partition);
  ASSERT_EQ(partitions_of_key.size(), 50u);
  for (const auto& [key, partitions] : partitions_of_key) {
    EXPECT_EQ(partitions.size(), 1u) << key;
  }
}

TEST(RealBroker, ConsumerGroupResumesFromCommittedOffsets) {
  const std::string topic = create_topic(2);
  produce_values(topic, 100);
  const std::string group = unique_name("group");
  std::vector<TopicPartition> committed;
  {
    Consumer first(group_config(group));
    first.subscribe({topic});
    const auto records = consume(first, 40, 30s);
    ASSERT_EQ(records.size(), 40u);
    std::map<std::int32_t, std::int64_t> next_offset;
    for (const auto& record : records) next_offset[record.partition] = record.offset + 1;
    for (const auto& [partition, offset] : next_offset) committed.push_back({topic, partition, offset});
    ASSERT_FALSE(first.commit(committed));
    const auto read_back = first.committed(committed, 10s);
    EXPECT_EQ(read_back, committed);
    first.close();
  }
  Consumer second(group_config(group));
  second.subscribe({topic});
  const auto rest = consume(second, 60, 30s);
  EXPECT_EQ(rest.size(), 60u) << "the second member reads what was not committed";
  EXPECT_TRUE(consume(second, 1, 2s).empty()) << "and nothing that was";
  for (const auto& record : rest) {
    for (const auto& offset : committed) {
      if (offset.partition == record.partition) {
        EXPECT_GE(record.offset, offset.offset);
      }
    }
  }
}

TEST(RealBroker, CooperativeStickyRebalanceSplitsAndKeepsPartitions) {
  const std::string topic = create_topic(6);
  produce_values(topic, 60);
  const std::string group = unique_name("group");
  const auto cooperative = [&](std::vector<TopicPartition>& revoked) {
    Config config = group_config(group);
    config.set("partition.assignment.strategy", "cooperative-sticky");
    return std::make_unique<Consumer>(
        config, RebalanceListener{{}, [&revoked](const std::vector<TopicPartition>& partitions, bool) {
                                    revoked.insert(revoked.end(), partitions.begin(), partitions.end());
                                  }});
  };
  std::vector<TopicPartition> revoked_first;
  std::vector<TopicPartition> revoked_second;
  auto first = cooperative(revoked_first);
  first->subscribe({topic});
  consume(*first, 60, 30s);
  ASSERT_EQ(first->assignment().size(), 6u);
  EXPECT_EQ(first->rebalance_protocol(), "COOPERATIVE");

  auto second = cooperative(revoked_second);
  second->subscribe({topic});
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline &&
         (second->assignment().size() != 3 || first->assignment().size() != 3)) {
    first->poll(100ms);
    second->poll(100ms);
  }
  const auto kept = first->assignment();
  const auto gained = second->assignment();
  ASSERT_EQ(kept.size(), 3u);
  ASSERT_EQ(gained.size(), 3u);
  std::set<std::int32_t> all;
  for (const auto& partition : kept) all.insert(partition.partition);
  for (const auto& partition : gained) all.insert(partition.partition);
  EXPECT_EQ(all.size(), 6u) << "no partition is owned twice";
  // Cooperative: the first member gave up only what the second got, and kept the rest throughout.
  EXPECT_EQ(revoked_first.size(), 3u);
  EXPECT_TRUE(revoked_second.empty());
}

TEST(RealBroker, TransactionCommitsOffsetsAndHidesAbortedMessages) {
  const std::string input = create_topic(1);
  const std::string output = create_topic(1);
  produce_values(input, 10);
  const std::string group = unique_name("group");
  Config consumer_settings = group_config(group);
  consumer_settings.set("isolation.level", "read_committed");
  Consumer consumer(consumer_settings);
  consumer.subscribe({input});
  const auto records = consume(consumer, 10, 30s);
  ASSERT_EQ(records.size(), 10u);

  Config producer_settings = test_config(real_brokers());
  producer_settings.set("transactional.id", unique_name("txn"));
  Producer producer(producer_settings);
  ASSERT_FALSE(producer.init_transactions(30s));

  // An aborted transaction: its message must stay invisible to read_committed readers.
  ASSERT_FALSE(producer.begin_transaction());
  ASSERT_FALSE(producer.produce(output, "k", "aborted"));
  ASSERT_FALSE(producer.abort_transaction(30s));

  ASSERT_FALSE(producer.begin_transaction());
  for (const auto& record : records) ASSERT_FALSE(producer.produce(output, record.key, "out-" + record.value));
  const auto positions = consumer.position(consumer.assignment());
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].offset, 10);
  const auto metadata = consumer.group_metadata();
  ASSERT_FALSE(producer.send_offsets_to_transaction(positions, *metadata, 30s));
  ASSERT_FALSE(producer.commit_transaction(30s));

  const auto committed = consumer.committed({{input, 0}}, 10s);
  ASSERT_EQ(committed.size(), 1u);
  EXPECT_EQ(committed[0].offset, 10) << "offsets sent with the transaction are the group's committed offsets";

  Config reader_settings = group_config(unique_name("group"));
  reader_settings.set("isolation.level", "read_committed");
  Consumer reader(reader_settings);
  reader.subscribe({output});
  const auto visible = consume(reader, 10, 30s);
  ASSERT_EQ(visible.size(), 10u);
  EXPECT_TRUE(consume(reader, 1, 2s).empty()) << "the aborted message stays invisible";
  for (const auto& record : visible) EXPECT_NE(record.value, "aborted");
}

// A member starts each assigned partition at the group's committed offset, or where
// auto.offset.reset points when there is none: the partition's first offset (which need not be 0)
// or its end.
TEST(RealBroker, AMemberStartsAtTheCommittedOffsetOrWhereAutoOffsetResetPoints) {
  const std::string topic = create_topic(1);
  produce_values(topic, 10);
  relmap::testing::delete_records_before(real_brokers(), topic, 0, 3);
  {
    Consumer consumer(group_config(unique_name("earliest")));
    consumer.subscribe({topic});
    const auto records = consume(consumer, 7, 30s);
    ASSERT_EQ(records.size(), 7u);
    EXPECT_EQ(records.front().offset, 3);
    EXPECT_EQ(records.front().value, "m3");
  }
  {
    const std::string group = unique_name("committed");
    Consumer committer(group_config(group));
    ASSERT_FALSE(committer.commit({{topic, 0, 6}}));
    Consumer consumer(group_config(group));
    consumer.subscribe({topic});
    const auto records = consume(consumer, 4, 30s);
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records.front().value, "m6");
  }
  {
    Config config = group_config(unique_name("latest"));
    config.set("auto.offset.reset", "latest").set("enable.partition.eof", "true");
    Consumer consumer(config);
    consumer.subscribe({topic});
    // Where it starts shows in what comes before the partition's end: nothing, for "latest".
    std::vector<std::string> before_the_end;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    bool at_the_end = false;
    while (!at_the_end && std::chrono::steady_clock::now() < deadline) {
      const auto message = consumer.poll(100ms);
      if (!message) continue;
      at_the_end = message.is_end_of_partition();
      if (message.is_record()) before_the_end.emplace_back(message.value());
    }
    ASSERT_TRUE(at_the_end);
    EXPECT_TRUE(before_the_end.empty()) << before_the_end.size() << " old message(s), the first " << before_the_end.front();
    produce_values(topic, 2, "after-assignment-");
    const auto records = consume(consumer, 2, 30s);
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records.front().value, "after-assignment-0");
  }
}

TEST(RealBroker, StatisticsCallbackReportsConsumerLag) {
  const std::string topic = create_topic(1);
  produce_values(topic, 50);
  // consumer_lag = high watermark - committed offset (librdkafka >= 1.7; -1 before any commit).
  std::atomic<std::int64_t> latest_lag{-1};
  Config config = group_config(unique_name("group"));
  config.set("statistics.interval.ms", "100");
  Consumer consumer(config, {}, [&](std::string_view json) {
    rapidjson::Document stats;
    stats.Parse(json.data(), json.size());
    const rapidjson::Value* lag = rapidjson::Pointer(("/topics/" + topic + "/partitions/0/consumer_lag").c_str()).Get(stats);
    if (lag != nullptr && lag->IsInt64()) latest_lag = lag->GetInt64();
  });
  consumer.subscribe({topic});
  ASSERT_EQ(consume(consumer, 50, 30s).size(), 50u);
  const auto lag_becomes = [&](std::int64_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (latest_lag.load() != expected && std::chrono::steady_clock::now() < deadline) consumer.poll(50ms);
    return latest_lag.load();
  };
  ASSERT_FALSE(consumer.commit({{topic, 0, 20}}));
  EXPECT_EQ(lag_becomes(30), 30) << "50 in the partition, 20 committed";
  ASSERT_FALSE(consumer.commit({{topic, 0, 50}}));
  EXPECT_EQ(lag_becomes(0), 0) << "everything committed";
}

}  // namespace
}  // namespace relmap::kafka
