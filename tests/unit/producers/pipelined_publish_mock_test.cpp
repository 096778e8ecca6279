// publish_pipelined (relmap produce's two threads) on librdkafka's mock cluster: what it sends, in
// what order, and how a failure on either thread ends it.
#include "relmap/producer/pipelined_publish.hpp"

#include <map>

#include <gtest/gtest.h>

#include "../../support/kafka_support.hpp"
#include "relmap/kafka/mock_cluster.hpp"
#include "relmap/producer/synthetic_org.hpp"

namespace relmap::producer {
namespace {

using namespace std::chrono_literals;
using relmap::testing::consume;
using relmap::testing::test_config;

class PipelinedPublish : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.create_topic(topics_.events, 3);
    cluster_.create_topic(topics_.dead_letter, 1);
    // More records than a few batches hold, every 97th of them invalid.
    generate_organisation({.seed = 11, .cases = 800}, [&](std::string_view record) {
      if (records_.size() % 97 == 5) records_.push_back(R"({"event_id":"broken","type":"handoff")");
      records_.emplace_back(record);
    });
  }

  RecordSource source() const {
    return [this](const RecordHandler& on_record) {
      for (std::size_t i = 0; i < records_.size(); ++i) on_record(records_[i], i + 1);
    };
  }

  std::vector<relmap::testing::ConsumedRecord> read(const std::string& topic, std::size_t expected) {
    kafka::Consumer consumer(relmap::testing::group_reader_config(cluster_.bootstraps(), "read-" + topic));
    consumer.subscribe({topic});
    auto records = consume(consumer, expected, 10s);
    for (auto& extra : consume(consumer, 1, 1s)) records.push_back(std::move(extra));  // none, or a duplicate
    return records;
  }

  kafka::MockCluster cluster_;
  Topics topics_{"events", "events.dlq"};
  std::vector<std::string> records_;
};

TEST_F(PipelinedPublish, SendsEachCasesEventsInOrderAndEachInvalidRecordToTheDeadLetterTopic) {
  kafka::Config config = test_config(cluster_.bootstraps());
  config.set("queue.buffering.max.messages", "500");  // a batch may find the local queue full
  EventPublisher publisher(config, topics_);
  std::vector<std::uint64_t> rejected_lines;
  int batches = 0;
  publish_pipelined(
      publisher, source(), "pipelined",
      [&](std::uint64_t line, const schemas::DecodeError&, std::string_view record) {
        EXPECT_EQ(record, records_[line - 1]);
        rejected_lines.push_back(line);
      },
      [&] { ++batches; });
  ASSERT_TRUE(publisher.flush(20s));

  std::map<std::string, std::vector<std::string>> expected_by_case;  // valid records, in input order
  std::vector<std::string> expected_dead_letter_keys;
  const schemas::Decoder decoder;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    const auto decoded = decoder.decode(records_[i]);
    if (decoded.has_value()) {
      expected_by_case[std::string(message_key(decoded.value()))].push_back(records_[i]);
    } else {
      expected_dead_letter_keys.push_back("pipelined:" + std::to_string(i + 1));
    }
  }
  ASSERT_EQ(rejected_lines.size(), expected_dead_letter_keys.size());
  EXPECT_GE(batches, static_cast<int>(records_.size() / 1024));
  const auto counts = publisher.counts();
  EXPECT_EQ(counts.sent + counts.rejected, records_.size());
  EXPECT_EQ(counts.acknowledged, records_.size());

  std::map<std::string, std::vector<std::string>> sent_by_case;
  std::size_t valid = 0;
  for (const auto& [key, records] : expected_by_case) valid += records.size();
  for (const auto& record : read(topics_.events, valid)) sent_by_case[record.key].push_back(record.value);
  EXPECT_EQ(sent_by_case, expected_by_case) << "each case's events once, in input order";

  std::vector<std::string> dead_letter_keys;
  for (const auto& record : read(topics_.dead_letter, expected_dead_letter_keys.size())) {
    dead_letter_keys.push_back(record.key);
  }
  EXPECT_EQ(dead_letter_keys, expected_dead_letter_keys);
}

TEST_F(PipelinedPublish, AReadingFailureIsRethrownAfterWhatWasReadBeforeItIsSent) {
  EventPublisher publisher(test_config(cluster_.bootstraps()), topics_);
  const auto failing_source = [&](const RecordHandler& on_record) {
    for (std::size_t i = 0; i < 3000; ++i) on_record(records_[i], i + 1);
    throw std::runtime_error("cannot read line 3001");
  };
  EXPECT_THROW(
      {
        try {
          publish_pipelined(publisher, failing_source, "pipelined", [](auto, const auto&, auto) {}, [] {});
        } catch (const std::runtime_error& error) {
          EXPECT_STREQ(error.what(), "cannot read line 3001");
          throw;
        }
      },
      std::runtime_error);
  ASSERT_TRUE(publisher.flush(20s));
  const auto counts = publisher.counts();
  EXPECT_EQ(counts.sent + counts.rejected, 3000u);
  EXPECT_EQ(counts.acknowledged, 3000u);
}

TEST_F(PipelinedPublish, ASendingFailureStopsTheReadingAndIsRethrown) {
  kafka::Config config = test_config(cluster_.bootstraps());
  config.set("message.max.bytes", "1000");  // librdkafka refuses a larger event when it is enqueued
  EventPublisher publisher(config, topics_);
  // Far more records than the hand-off holds: reading must stop early, not run to the end.
  constexpr std::size_t kRecords = 100000;
  std::size_t handed_out = 0;
  const auto source_with_a_large_event = [&](const RecordHandler& on_record) {
    for (; handed_out < kRecords; ++handed_out) {
      if (handed_out == 2100) {
        // A valid event in the middle of a batch (a handoff's reason has no length limit).
        on_record(R"({"event_id":"large","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t","from":"A","to":"B","reason":")" +
                      std::string(2000, 'x') + R"("})",
                  handed_out + 1);
      }
      on_record(records_[handed_out % records_.size()], handed_out + 1);
    }
  };
  EXPECT_THROW(publish_pipelined(publisher, source_with_a_large_event, "pipelined", [](auto, const auto&, auto) {}, [] {}),
               kafka::KafkaException);
  EXPECT_LT(handed_out, 20000u) << "reading stopped once sending had failed";
  publisher.flush(10s);
  // What the summary says adds up and matches what the broker holds: every event of the refused
  // event's batch counts as sent, the ones librdkafka did not take as failed too.
  const auto counts = publisher.counts();
  EXPECT_GE(counts.failed, 1u);
  EXPECT_EQ(counts.acknowledged + counts.failed, counts.sent + counts.rejected);
  const std::size_t delivered_events = counts.sent - counts.failed;
  EXPECT_EQ(read(topics_.events, delivered_events).size(), delivered_events);
  EXPECT_EQ(read(topics_.dead_letter, counts.rejected).size(), counts.rejected);
}

}  // namespace
}  // namespace relmap::producer
