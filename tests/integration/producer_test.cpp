// relmap produce and relmap ingest against a real Apache Kafka broker, run as a user runs them.
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/common/json_writer.hpp"

#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap {
namespace {

using namespace std::chrono_literals;
using relmap::testing::real_brokers;
using relmap::testing::run_command;
using relmap::testing::test_config;
using relmap::testing::unique_name;

const std::string kRelmap = RELMAP_BINARY;
const std::string kLogs = std::string(RELMAP_TEST_DATA_DIR) + "/logs/";
const std::string kCorpus = std::string(RELMAP_TEST_DATA_DIR) + "/events/";

struct TopicPair {
  std::string events;
  std::string dead_letter;
};

TopicPair create_topic_pair(const std::string& brokers, int partitions) {
  const TopicPair topics{unique_name("events"), unique_name("dlq")};
  run_command(kRelmap + " topics create --brokers " + brokers + " --partitions " + std::to_string(partitions) +
              " --topic " + topics.events + " --dlq-topic " + topics.dead_letter + " >/dev/null");
  return topics;
}

std::int64_t messages_in(const std::string& brokers, const std::string& topic) {
  std::int64_t total = 0;
  for (const auto& partition : kafka::high_watermarks(test_config(brokers), topic, 10s)) total += partition.offset;
  return total;
}

/// Every message of a topic as kcat prints it: "key<TAB>headers<TAB>value" per line.
std::vector<std::string> kcat_read(const std::string& brokers, const std::string& topic) {
  const std::string output = run_command("kcat -b " + brokers + " -t " + topic + " -C -e -q -f '%k\\t%h\\t%s\\n'");
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < output.size()) {
    const auto end = output.find('\n', start);
    lines.push_back(output.substr(start, end - start));
    start = end == std::string::npos ? output.size() : end + 1;
  }
  return lines;
}

TEST(ProduceCommand, Bpic2013HandoffsAllReachTheTopicAsValidJson) {
  const std::string brokers = real_brokers();
  const auto topics = create_topic_pair(brokers, 3);
  const std::string summary =
      run_command(kRelmap + " produce --brokers " + brokers + " --topic " + topics.events + " --dlq-topic " +
                  topics.dead_letter + " --dept-attr org:group " + kLogs + "bpic2013-incidents.xes.gz 2>&1");
  // The number of direct group-to-group successions in the log, counted by a separate route
  // (tests/unit/producers/process_log_test.cpp), and the opening of each of its 7,554 incidents.
  EXPECT_NE(summary.find("produced 17008 event(s)"), std::string::npos) << summary;
  EXPECT_EQ(messages_in(brokers, topics.events), 9454 + 7554);
  EXPECT_EQ(messages_in(brokers, topics.dead_letter), 0);

  const schemas::Decoder decoder{schemas::TimeBounds::none()};  // the corpus runs to 2028
  std::set<std::string> event_ids;
  for (const auto& line : kcat_read(brokers, topics.events)) {
    const auto value = line.substr(line.find('\t', line.find('\t') + 1) + 1);
    rapidjson::Document document;
    document.Parse(value.c_str());
    ASSERT_FALSE(document.HasParseError()) << value;
    const auto decoded = decoder.decode(value);
    ASSERT_TRUE(decoded.has_value()) << value;
    EXPECT_EQ(decoded.value().type(), schemas::EventType::handoff);
    EXPECT_EQ(line.substr(0, line.find('\t')), *decoded.value().case_id) << "the key is the case";
    event_ids.insert(decoded.value().event_id);
  }
  EXPECT_EQ(event_ids.size(), 9454u + 7554u);
}

TEST(ProduceCommand, ValidRecordsOnceInTheTopicInvalidOnesInTheDeadLetterTopicWithReasons) {
  const std::string brokers = real_brokers();
  const auto topics = create_topic_pair(brokers, 2);
  // The corpus: every valid input and every non-blank invalid record, interleaved.
  const relmap::testing::TempPath mixed_file(unique_name("mixed") + ".jsonl");
  const std::string& mixed = mixed_file.str();
  std::map<std::string, std::string> reason_of_line;  // line number -> exact reason
  std::set<std::string> valid_ids;
  {
    std::ifstream valid(kCorpus + "valid.jsonl");
    std::ifstream invalid(kCorpus + "invalid.tsv", std::ios::binary);
    std::ofstream out(mixed, std::ios::binary);
    int line_number = 0;
    std::string valid_line;
    std::string invalid_line;
    while (true) {
      const bool more_valid = static_cast<bool>(std::getline(valid, valid_line));
      bool more_invalid = false;
      // The reasons of implausible times name the processing time: they are pinned where it is fixed
      // (tests/unit/schemas), not here.
      while ((more_invalid = static_cast<bool>(std::getline(invalid, invalid_line))) &&
             (invalid_line.front() == '#' || invalid_line.starts_with("implausible_time\t"))) {
      }
      if (!more_valid && !more_invalid) break;
      if (more_valid) {
        rapidjson::Document document;
        document.Parse(valid_line.c_str());
        rapidjson::StringBuffer buffer;
        relmap::JsonTextWriter writer(buffer);
        document["input"].Accept(writer);
        out << buffer.GetString() << '\n';
        ++line_number;
        valid_ids.insert(document["expect"]["event_id"].GetString());
      }
      if (more_invalid) {
        const auto first_tab = invalid_line.find('\t');
        const auto second_tab = invalid_line.find('\t', first_tab + 1);
        const std::string raw = invalid_line.substr(second_tab + 1);
        if (raw.find_first_not_of(" \t") == std::string::npos) continue;  // blank: no JSONL record
        out << raw << '\n';
        reason_of_line[std::to_string(++line_number)] = invalid_line.substr(first_tab + 1, second_tab - first_tab - 1);
      }
    }
  }
  const relmap::testing::TempPath rejects_file(unique_name("mixed-rejects"));
  const std::string& rejects = rejects_file.str();
  const std::string summary = run_command(kRelmap + " produce --brokers " + brokers + " --topic " + topics.events +
                                          " --dlq-topic " + topics.dead_letter + " --rejects " + rejects +
                                          // The corpus's valid events go up to 2028: a century ahead accepts them.
                                          " --latest-ahead-hours 876000 " + mixed +
                                          " 2>&1");
  EXPECT_NE(summary.find("produced " + std::to_string(valid_ids.size()) + " event(s) to " + topics.events + ", " +
                         std::to_string(reason_of_line.size()) + " rejected"),
            std::string::npos)
      << summary;

  std::multiset<std::string> in_topic;
  const schemas::Decoder decoder{schemas::TimeBounds::none()};  // the corpus runs to 2028
  for (const auto& line : kcat_read(brokers, topics.events)) {
    const auto decoded = decoder.decode(line.substr(line.find('\t', line.find('\t') + 1) + 1));
    ASSERT_TRUE(decoded.has_value()) << line;
    in_topic.insert(decoded.value().event_id);
  }
  EXPECT_EQ(in_topic, std::multiset<std::string>(valid_ids.begin(), valid_ids.end())) << "each valid event exactly once";

  const auto dead_letters = kcat_read(brokers, topics.dead_letter);
  EXPECT_EQ(dead_letters.size(), reason_of_line.size());
  std::size_t matched = 0;
  for (const auto& line : dead_letters) {
    const std::string headers = line.substr(line.find('\t') + 1, line.find('\t', line.find('\t') + 1) - line.find('\t') - 1);
    const auto line_at = headers.find("relmap.line=");
    ASSERT_NE(line_at, std::string::npos) << headers;
    const std::string number = headers.substr(line_at + 12, headers.find(',', line_at) - line_at - 12);
    const auto expected = reason_of_line.find(number);
    ASSERT_NE(expected, reason_of_line.end()) << "line " << number << " was valid";
    EXPECT_NE(headers.find("relmap.reason=" + expected->second), std::string::npos) << headers;
    ++matched;
  }
  EXPECT_EQ(matched, reason_of_line.size());
  EXPECT_EQ(std::stoul(run_command("wc -l < " + rejects)), reason_of_line.size()) << "the rejects file has them all";
}

TEST(ProduceCommand, ExitCodeReportsAFailedDelivery) {
  const std::string brokers = real_brokers();
  const relmap::testing::TempPath events_file(unique_name("one") + ".jsonl");
  const std::string& events = events_file.str();
  {
    std::ofstream out(events);
    out << R"({"event_id":"x","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t","from":"A","to":"B"})"
        << '\n';
  }
  const auto topics = create_topic_pair(brokers, 1);
  // A topic that does not exist (auto-creation is off), the events' or the dead letters': refused
  // before anything is read, rather than each record failing after message.timeout.ms.
  const std::string absent = unique_name("absent");
  EXPECT_EQ(run_command(kRelmap + " produce --brokers " + brokers + " --topic " + absent + " " + events + " 2>&1; echo $?"),
            "relmap produce: topic " + absent + " does not exist (relmap topics create makes it); nothing was sent\n3\n");
  EXPECT_EQ(run_command(kRelmap + " produce --brokers " + brokers + " --topic " + topics.events + " --dlq-topic " + absent +
                        " " + events + " 2>&1; echo $?"),
            "relmap produce: topic " + absent + " does not exist (relmap topics create makes it); nothing was sent\n3\n");
  EXPECT_EQ(messages_in(brokers, topics.events), 0);
  // Both topics exist: exit 0.
  EXPECT_EQ(run_command(kRelmap + " produce --brokers " + brokers + " --topic " + topics.events + " --dlq-topic " +
                        topics.dead_letter + " " + events + " >/dev/null 2>&1; echo $?"),
            "0\n");
  // Deliveries the broker refuses (a topic that takes no record this large): exit 3, and the first
  // ten failures logged, not one line per record.
  const std::string small_topic = unique_name("small");
  kafka::create_topics(test_config(brokers), {{small_topic, 1, 1, {{"max.message.bytes", "64"}}}}, 30s);
  const relmap::testing::TempPath many_file(unique_name("many") + ".jsonl");
  run_command(kRelmap + " generate --seed 3 --cases 20 -o " + many_file.str() + " 2>/dev/null");
  const std::string records = std::to_string(std::stoul(run_command("wc -l < " + many_file.str())));
  const std::string refused = run_command(kRelmap + " produce --brokers " + brokers + " --topic " + small_topic +
                                          " --dlq-topic " + topics.dead_letter + " " + many_file.str() + " 2>&1; echo $?");
  EXPECT_TRUE(refused.ends_with("0 acknowledged, " + records + " failed\n"
                                "relmap produce: not every record was acknowledged by the broker\n3\n")) << refused;
  std::size_t logged = 0;
  for (auto at = refused.find("delivery to " + small_topic + " failed"); at != std::string::npos;
       at = refused.find("delivery to " + small_topic + " failed", at + 1)) {
    ++logged;
  }
  EXPECT_EQ(logged, 10u) << refused;
  EXPECT_NE(refused.find("further failed deliveries are counted, not logged"), std::string::npos) << refused;
  // No broker at all: the lookup fails with the reason.
  const std::string unreachable =
      run_command(kRelmap + " --log-level off produce --brokers 127.0.0.1:1 " + events + " 2>&1; echo $?");
  EXPECT_EQ(unreachable.rfind("relmap: metadata request for relmap.events failed: ", 0), 0u) << unreachable;
  EXPECT_TRUE(unreachable.ends_with("\n1\n")) << unreachable;
}

TEST(GenerateCommand, ProducesEveryGeneratedEventToKafka) {
  const std::string brokers = real_brokers();
  const auto topics = create_topic_pair(brokers, 3);
  const relmap::testing::TempPath generated(unique_name("generated") + ".jsonl");
  const std::string& file = generated.str();
  run_command(kRelmap + " generate --seed 21 --cases 2000 --out " + file + " 2>/dev/null");
  const std::string summary = run_command(kRelmap + " generate --seed 21 --cases 2000 --brokers " + brokers + " --topic " +
                                          topics.events + " --dlq-topic " + topics.dead_letter + " 2>&1");
  const auto lines = std::stoll(run_command("wc -l < " + file));
  EXPECT_GT(lines, 10000);
  EXPECT_EQ(messages_in(brokers, topics.events), lines) << summary;
  EXPECT_EQ(messages_in(brokers, topics.dead_letter), 0);
}

}  // namespace
}  // namespace relmap
