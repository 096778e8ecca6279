// The aggregator's transaction error paths, on librdkafka's mock cluster with injected errors. The mock
// keeps no transaction markers and drops offsets sent to transactions, so these tests check the paths
// taken (abort and rewind, retry), not the counts: counts are proven on the real broker.
#include "relmap/consumer/stream_aggregator.hpp"

#include <thread>

#include <gtest/gtest.h>

#include "relmap/kafka/mock_cluster.hpp"
#include "relmap/producer/publisher.hpp"
#include "relmap/producer/synthetic_org.hpp"

namespace relmap::consumer {
namespace {

using namespace std::chrono_literals;

class MockAggregation : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& topic : {topics_.events, topics_.changelog, topics_.aggregates}) cluster_.create_topic(topic, 2);
    cluster_.create_topic(topics_.dead_letter, 1);
    cluster_.create_topic(topics_.alerts, 1);
    kafka::Config config;
    config.set("bootstrap.servers", cluster_.bootstraps());
    producer::EventPublisher publisher(config, {topics_.events, topics_.dead_letter});
    producer::generate_organisation({.seed = 3, .cases = 100}, [&](std::string_view record) {
      (void)publisher.publish(record, {"generated", 0});
    });
    ASSERT_TRUE(publisher.flush(10s));
  }

  /// Runs the aggregator until `done` holds (or 60 s pass); returns its counters.
  StreamAggregator::Counters run_until(const std::function<bool(const StreamAggregator::Counters&)>& done) {
    kafka::Config config;
    config.set("bootstrap.servers", cluster_.bootstraps()).set("session.timeout.ms", "6000")
        .set("heartbeat.interval.ms", "500");
    StreamAggregator aggregator(config, topics_, {.group = "mock-aggregator", .instance_id = "mock", .batch_messages = 50});
    std::atomic<bool> stop{false};
    std::thread runner([&] { aggregator.run(stop); });
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (!done(aggregator.counters()) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
    stop = true;
    runner.join();
    return aggregator.counters();
  }

  kafka::MockCluster cluster_;
  StreamTopics topics_;
};

TEST_F(MockAggregation, AFailedWriteAbortsTheTransactionAndRewinds) {
  // The aggregator's first three produce requests fail for good (librdkafka then also refuses writes
  // to the topic locally until its metadata is refreshed). Injected before it starts: injected once it
  // was seen working, a fast aggregator could already have written its last batch.
  cluster_.inject_errors(kafka::ApiKey::produce, 3, kafka::BrokerError::topic_authorization_failed);
  const auto counters = run_until([&](const StreamAggregator::Counters& now) {
    return now.aborts >= 1 && now.transactions >= 3;
  });
  EXPECT_GE(counters.aborts, 1u) << "the failed write aborted its transaction";
  EXPECT_GE(counters.restores, 2u) << "the state was restored from the changelog after the abort";
  EXPECT_GE(counters.transactions, 3u) << "and the aggregator went on committing";
}

TEST_F(MockAggregation, RetriableRequestErrorsAreRetriedWithoutAbort) {
  cluster_.inject_errors(kafka::ApiKey::produce, 3, kafka::BrokerError::not_enough_replicas);
  cluster_.inject_errors(kafka::ApiKey::end_txn, 2, kafka::BrokerError::coordinator_not_available);
  const auto counters = run_until([](const StreamAggregator::Counters& now) { return now.transactions >= 3; });
  EXPECT_GE(counters.transactions, 3u);
  EXPECT_EQ(counters.aborts, 0u);
}

}  // namespace
}  // namespace relmap::consumer
