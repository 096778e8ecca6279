// Runs the relmap binary as a user would and checks what it prints.
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "../support/kafka_support.hpp"

namespace relmap {
namespace {

using relmap::testing::run_command;

const std::string kRelmap = RELMAP_BINARY;
const std::string kSharedData = std::string(RELMAP_SOURCE_DIR) + "/../shared/data/";
const std::string kCorpus = std::string(RELMAP_TEST_DATA_DIR) + "/events/";

TEST(DemoCommand, StreamsARealEventLogThroughTheEmbeddedKafka) {
  const std::string output =
      run_command(kRelmap + " demo --events " + kSharedData + "running-example.xes --dept-attr org:resource 2>/dev/null");
  EXPECT_NE(output.find("Embedded Kafka (librdkafka mock cluster) at 127.0.0.1:"), std::string::npos) << output;
  EXPECT_NE(output.find("Produced 32 event(s) to relmap.events and 0 invalid record(s)"), std::string::npos) << output;
  EXPECT_NE(output.find("Events: 32 distinct (0 duplicate(s) counted once), 0 rejected, 6 case(s)"), std::string::npos)
      << output;
  EXPECT_NE(output.find("Departments: 6, relationships: 18, connected groups: 1"), std::string::npos) << output;
  EXPECT_NE(output.find("       4  Sara -> Ellen\n"), std::string::npos) << output;
}

TEST(DemoCommand, SendsInvalidRecordsToTheDeadLetterTopicWithTheirReason) {
  // Every invalid record of the corpus (blank ones are no JSONL record), beside two valid events, one repeated.
  const std::string events = ::testing::TempDir() + "relmap-demo-mixed.jsonl";
  std::map<std::string, int> expected_by_reason;
  int invalid = 0;
  {
    std::ifstream corpus(kCorpus + "invalid.tsv", std::ios::binary);
    std::ofstream out(events, std::ios::binary);
    for (std::string line; std::getline(corpus, line);) {
      if (line.empty() || line.front() == '#') continue;
      const std::string code = line.substr(0, line.find('\t'));
      const std::string raw = line.substr(line.find('\t', code.size() + 1) + 1);
      if (raw.find_first_not_of(" \t") == std::string::npos) continue;
      out << raw << '\n';
      ++expected_by_reason[code];
      ++invalid;
    }
    const std::string handoff = R"({"event_id":"a","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t","from":"A","to":"B"})";
    out << handoff << '\n' << handoff << '\n'
        << R"({"event_id":"b","type":"request","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t","from":"B","to":"C"})"
        << '\n';
  }
  ASSERT_GE(invalid, 40);
  const std::string output = run_command(kRelmap + " demo --events " + events + " 2>/dev/null");
  const std::string rejected = std::to_string(invalid);
  EXPECT_NE(output.find("Produced 3 event(s) to relmap.events and " + rejected + " invalid record(s)"), std::string::npos)
      << output;
  EXPECT_NE(output.find("Events: 2 distinct (1 duplicate(s) counted once), " + rejected + " rejected, 1 case(s)"),
            std::string::npos)
      << output;
  for (const auto& [code, count] : expected_by_reason) {
    EXPECT_NE(output.find("  " + code + "  " + std::to_string(count) + "\n"), std::string::npos) << code << "\n" << output;
  }
}

}  // namespace
}  // namespace relmap
