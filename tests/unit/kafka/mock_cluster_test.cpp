// Fast tests on librdkafka's in-process mock cluster: the wrapper's happy path and injected faults.
#include "relmap/kafka/mock_cluster.hpp"

#include <map>
#include <set>
#include <stdexcept>

#include <gtest/gtest.h>

#include "../../support/kafka_support.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::kafka {
namespace {

using namespace std::chrono_literals;
using relmap::testing::consume_topic;
using relmap::testing::group_reader_config;
using relmap::testing::test_config;

TEST(MockCluster, ProducesAndConsumesThroughAConsumerGroup) {
  MockCluster cluster;
  cluster.create_topic("events", 3);
  int acknowledged = 0;
  Producer producer(test_config(cluster.bootstraps()), [&](const Delivery& delivery) {
    EXPECT_FALSE(delivery.error) << delivery.error.message();
    ++acknowledged;
  });
  for (int i = 0; i < 30; ++i) {
    ASSERT_FALSE(producer.produce("events", "case-" + std::to_string(i % 5), "value-" + std::to_string(i),
                                  {{"origin", "test"}}));
  }
  ASSERT_FALSE(producer.flush(10s));
  EXPECT_EQ(acknowledged, 30);

  const auto records = consume_topic(cluster.bootstraps(), "mock-group", "events", 30, 30s);
  ASSERT_EQ(records.size(), 30u);
  std::set<std::string> values;
  for (const auto& record : records) values.insert(record.value);
  EXPECT_EQ(values.size(), 30u);
}

TEST(MockCluster, IdempotentProducerSurvivesRetriableProduceErrors) {
  MockCluster cluster;
  cluster.create_topic("events", 1);
  // The first three produce requests fail with a retriable error; idempotence must not duplicate.
  cluster.inject_errors(ApiKey::produce, 3, BrokerError::not_enough_replicas);
  int failed = 0;
  Producer producer(test_config(cluster.bootstraps()), [&](const Delivery& delivery) { failed += delivery.error ? 1 : 0; });
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(producer.produce("events", "k", std::to_string(i)));
  ASSERT_FALSE(producer.flush(20s));
  EXPECT_EQ(failed, 0);

  const auto records = consume_topic(cluster.bootstraps(), "mock-retry", "events", 11, 4s);
  ASSERT_EQ(records.size(), 10u) << "each message exactly once";
  for (int i = 0; i < 10; ++i) EXPECT_EQ(records[static_cast<std::size_t>(i)].value, std::to_string(i)) << "in order";
}

TEST(MockCluster, ABatchKeepsEachKeysOrderThroughAFullLocalQueue) {
  MockCluster cluster;
  cluster.create_topic("events", 3);
  Config config = test_config(cluster.bootstraps());
  config.set("queue.buffering.max.messages", "50");  // each batch below fills it many times over
  int acknowledged = 0;
  Producer producer(config, [&](const Delivery& delivery) { acknowledged += delivery.error ? 0 : 1; });
  std::vector<std::string> keys;
  std::vector<std::string> values;
  for (int i = 0; i < 2000; ++i) {
    keys.push_back("case-" + std::to_string(i % 7));
    values.push_back(std::to_string(i));
  }
  for (std::size_t start = 0; start < keys.size(); start += 500) {
    std::vector<KeyedMessage> batch;
    for (std::size_t i = start; i < start + 500; ++i) batch.push_back({keys[i], values[i]});
    ASSERT_FALSE(producer.produce_batch("events", batch));
  }
  ASSERT_FALSE(producer.flush(20s));
  EXPECT_EQ(acknowledged, 2000);

  const auto records = consume_topic(cluster.bootstraps(), "mock-batch", "events", 2001, 6s);
  ASSERT_EQ(records.size(), 2000u) << "each message exactly once";
  std::map<std::string, int> last_of_key;
  std::map<std::string, std::int32_t> partition_of_key;
  for (const auto& record : records) {
    const int value = std::stoi(record.value);
    EXPECT_EQ(record.key, "case-" + std::to_string(value % 7));
    const auto [last, first_seen] = last_of_key.try_emplace(record.key, -1);
    EXPECT_LT(last->second, value) << "key " << record.key << " out of order";
    last->second = value;
    const auto [partition, first] = partition_of_key.try_emplace(record.key, record.partition);
    EXPECT_EQ(partition->second, record.partition) << "key " << record.key << " in two partitions";
  }
}

TEST(MockCluster, AnEmptyValueIsSentAsATombstone) {
  MockCluster cluster;
  cluster.create_topic("state", 1);
  Producer producer(test_config(cluster.bootstraps()));
  ASSERT_FALSE(producer.produce("state", "c:1", "state of case 1"));
  ASSERT_FALSE(producer.produce("state", "c:1", std::string{}));  // the case left the state
  const std::vector<KeyedMessage> batch{{"c:2", "state of case 2"}, {"c:2", ""}};
  ASSERT_FALSE(producer.produce_batch("state", batch));
  ASSERT_FALSE(producer.flush(10s));

  const auto records = consume_topic(cluster.bootstraps(), "mock-tombstones", "state", 4, 10s);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_FALSE(records[0].null_value);
  EXPECT_TRUE(records[1].null_value) << "a compacted topic drops a key only for a null value";
  EXPECT_FALSE(records[2].null_value);
  EXPECT_TRUE(records[3].null_value);
}

// A listener that cannot take its partitions (the aggregator, from an unreadable changelog) must stop
// the consumer: swallowed inside librdkafka's callback, it left the consumer holding them, idle.
TEST(MockCluster, WhatARebalanceListenerThrowsComesOutOfPoll) {
  MockCluster cluster;
  cluster.create_topic("events", 2);
  Consumer consumer(group_reader_config(cluster.bootstraps(), "mock-listener"),
                    RebalanceListener{[](const std::vector<TopicPartition>&) { throw std::runtime_error("unreadable state"); }, {}});
  consumer.subscribe({"events"});
  std::string thrown;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s; thrown.empty() && std::chrono::steady_clock::now() < deadline;) {
    try {
      consumer.poll(100ms);
    } catch (const std::runtime_error& error) {
      thrown = error.what();
    }
  }
  EXPECT_EQ(thrown, "unreadable state");
  EXPECT_EQ(consumer.assignment().size(), 2u) << "thrown after librdkafka finished the assignment";
}

TEST(MockCluster, ReportsANonRetriableDeliveryFailure) {
  MockCluster cluster;
  cluster.create_topic("events", 1);
  cluster.inject_errors(ApiKey::produce, 1, BrokerError::message_too_large);
  std::vector<std::error_code> errors;
  Producer producer(test_config(cluster.bootstraps()), [&](const Delivery& delivery) { errors.push_back(delivery.error); });
  ASSERT_FALSE(producer.produce("events", "k", "v"));
  producer.flush(10s);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], make_error_code(BrokerError::message_too_large));
}

TEST(MockCluster, AbortsATransactionWhoseCommitFails) {
  MockCluster cluster;
  cluster.create_topic("events", 1);
  Config config = test_config(cluster.bootstraps());
  config.set("transactional.id", "mock-txn");
  Producer producer(config);
  ASSERT_FALSE(producer.init_transactions(10s)) << "init";
  ASSERT_FALSE(producer.begin_transaction());
  ASSERT_FALSE(producer.produce("events", "k", "v"));
  // EndTxn fails with an abortable error: the caller must see "requires abort" and abort cleanly.
  cluster.inject_errors(ApiKey::end_txn, 1, BrokerError::invalid_txn_state);
  const KafkaError commit = producer.commit_transaction(10s);
  ASSERT_TRUE(commit);
  EXPECT_FALSE(commit.is_retriable());
  if (commit.transaction_requires_abort()) {
    EXPECT_FALSE(producer.abort_transaction(10s));
  } else {
    EXPECT_TRUE(commit.is_fatal()) << commit.message();
  }
}

TEST(MockCluster, BootstrapAddressWorksFromAnotherProcess) {
  MockCluster cluster;
  cluster.create_topic("events", 1);
  const auto listing = relmap::testing::run_command("kcat -b " + cluster.bootstraps() + " -L -t events 2>&1");
  EXPECT_NE(listing.find("topic \"events\" with 1 partitions"), std::string::npos) << listing;
}

}  // namespace
}  // namespace relmap::kafka
