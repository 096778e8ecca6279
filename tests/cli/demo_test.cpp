// Runs the relmap binary as a user would and checks what it prints.
#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>
#include <map>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include "../support/http_get.hpp"
#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using relmap::testing::run_command;

const std::string kRelmap = RELMAP_BINARY;
const std::string kLogs = std::string(RELMAP_TEST_DATA_DIR) + "/logs/";
const std::string kCorpus = std::string(RELMAP_TEST_DATA_DIR) + "/events/";

TEST(DemoCommand, FindsThePlantedPatternsThroughTheWholePipeline) {
  const relmap::testing::TempPath out_dir("relmap-demo-out");
  const std::string& out = out_dir.str();
  const relmap::testing::TempPath log_file("relmap-demo-log");
  const std::string output = run_command(kRelmap + " --log-level warn demo --out " + out + " 2>" + log_file.str());
  // A clean run warns about nothing: every client gets the same Kafka properties, and librdkafka's
  // notice that a producer ignores a consumer's property is no news to the user.
  EXPECT_EQ(run_command("cat " + log_file.str()), "");
  EXPECT_NE(output.find("Embedded Kafka (librdkafka mock cluster) at 127.0.0.1:"), std::string::npos) << output;
  EXPECT_NE(output.find("Aggregated exactly once:"), std::string::npos) << output;
  EXPECT_NE(output.find("  component Archive, Records  (no link at all to the rest)\n"), std::string::npos) << output;
  EXPECT_NE(output.find("  community Lab, Patents, Research  ("), std::string::npos) << output;
  // The generated directory: a department that never appears in an event, and Lab filed under Supply Chain.
  EXPECT_NE(output.find("  isolated  Mailroom\n"), std::string::npos) << output;
  EXPECT_NE(output.find("  unit Supply Chain is split: Lab | Logistics, Procurement, Production, Quality, Warehouse\n"),
            std::string::npos) << output;
  EXPECT_NE(output.find("  community Lab, Patents, Research spans units Research & Development, Supply Chain\n"),
            std::string::npos) << output;
  // The first line under each heading is the top finding.
  const auto first_after = [&](const std::string& heading) {
    const auto start = output.find('\n', output.find(heading)) + 1;
    return output.substr(start, output.find('\n', start) - start);
  };
  EXPECT_EQ(first_after("\"Not my role\" hotspots").substr(0, 7), "  Legal") << output;
  EXPECT_EQ(first_after("Give/get imbalances").substr(0, 44), "  Information Technology (IT) gives to Sales") << output;
  EXPECT_NE(first_after("Ping-pong").find("Returns -> Billing"), std::string::npos) << output;
  EXPECT_NE(run_command("cat " + out + "/map.json").find("\"silos\":[{"), std::string::npos);
  EXPECT_NE(run_command("cat " + out + "/map.graphml").find("<graphml"), std::string::npos);
  EXPECT_NE(run_command("cat " + out + "/map.svg").find("<title>Archive</title>"), std::string::npos);
  const std::string index = run_command("cat " + out + "/reports/index.html");
  EXPECT_NE(index.find("<a href=\"Customer_20Care.html\">Customer Care</a>"), std::string::npos) << index;
  EXPECT_NE(run_command("cat " + out + "/reports/Customer_20Care.html").find("<h1>Handoff report: Customer Care</h1>"),
            std::string::npos);
}

TEST(VersionFlag, NamesTheKafkaClientAndTheAllocatorInUse) {
  const std::string output = run_command(kRelmap + " --version");
  EXPECT_NE(output.find("relmap 0.1.0 (librdkafka 2."), std::string::npos) << output;
  // jemalloc serves every thread's malloc, librdkafka's too, or the apply threads wait on glibc's arenas.
  EXPECT_NE(output.find(", malloc from jemalloc 5."), std::string::npos) << output;
  // One arena: with one per thread, the memory librdkafka's thread allocates and the apply threads free
  // was not reused (common/src/jemalloc_options.cpp).
  EXPECT_NE(output.find(", 1 arena)"), std::string::npos) << output;
}

TEST(DemoCommand, StreamsARealEventLog) {
  const relmap::testing::TempPath out_dir("relmap-demo-xes-out");
  const std::string output = run_command(kRelmap + " --log-level warn demo --out " + out_dir.str() + " --events " + kLogs +
                                         "running-example.xes --dept-attr org:resource 2>/dev/null");
  // 32 handoffs and the opening of each of the 6 cases.
  EXPECT_NE(output.find("Produced 38 events to relmap.events, 0 invalid records"), std::string::npos) << output;
  EXPECT_NE(output.find("The map: 6 departments, 18 relationships, 38 events (0 duplicates counted once, 0 rejected"),
            std::string::npos)
      << output;
}

TEST(DemoCommand, CountsInvalidRecordsAndDuplicatesOnce) {
  // Every invalid record of the corpus (blank ones are no JSONL record), beside two valid events, one repeated.
  const relmap::testing::TempPath events_file("relmap-demo-mixed.jsonl");
  const std::string& events = events_file.str();
  int invalid = 0;
  {
    std::ifstream corpus(kCorpus + "invalid.tsv", std::ios::binary);
    std::ofstream out(events, std::ios::binary);
    for (std::string line; std::getline(corpus, line);) {
      if (line.empty() || line.front() == '#') continue;
      const std::string raw = line.substr(line.find('\t', line.find('\t') + 1) + 1);
      if (raw.find_first_not_of(" \t") == std::string::npos) continue;
      out << raw << '\n';
      ++invalid;
    }
    const std::string handoff = R"({"event_id":"a","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t","from":"A","to":"B"})";
    out << handoff << '\n' << handoff << '\n'
        << R"({"event_id":"b","type":"request","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c","source":"t","from":"B","to":"C"})"
        << '\n';
  }
  ASSERT_GE(invalid, 40);
  const relmap::testing::TempPath out_dir("relmap-demo-mixed-out");
  const std::string output = run_command(kRelmap + " --log-level warn demo --out " + out_dir.str() + " --events " + events + " 2>/dev/null");
  const std::string rejected = std::to_string(invalid);
  EXPECT_NE(output.find("Produced 3 events to relmap.events, " + rejected + " invalid records"), std::string::npos) << output;
  EXPECT_NE(output.find("2 events (1 duplicates counted once, " + rejected + " rejected to the dead-letter topic), 1 cases"),
            std::string::npos)
      << output;
}

/// The README's main job as a user runs it: the demo serves the API and the pages, its printed Kafka
/// address takes more events (as `relmap produce` from another terminal would send them), they show
/// in the API, and Ctrl-C ends it cleanly.
TEST(DemoCommand, ServesTheMapTakesEventsAtItsKafkaAddressAndStopsOnCtrlC) {
  using namespace std::chrono_literals;
  using relmap::testing::http_get;
  const relmap::testing::TempPath out("relmap-demo-serve.out");
  const int demo = relmap::testing::spawn({kRelmap, "--log-level", "warn", "demo", "--listen", "127.0.0.1:0", "--cases", "400",
                                           "--trickle-seconds", "1"}, out.str());
  const auto url = relmap::testing::wait_for_line(out.str(), "relmap demo: http://", 60s);
  ASSERT_FALSE(url.empty()) << "the demo printed no address";
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  const auto kafka_line = relmap::testing::wait_for_line(out.str(), "Embedded Kafka (librdkafka mock cluster) at ", 1s);
  const std::string brokers = kafka_line.substr(kafka_line.rfind(' ') + 1);

  const auto graph_holds = [&](const std::string& text, std::chrono::seconds within) {
    for (const auto deadline = std::chrono::steady_clock::now() + within; std::chrono::steady_clock::now() < deadline;) {
      const auto [status, body] = http_get(port, "/api/v1/graph");
      if (status == 200 && body.find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  };
  EXPECT_TRUE(graph_holds("\"id\":\"Legal\"", 60s)) << "the generated organisation never reached the served map";
  const auto [page_status, page] = http_get(port, "/");
  EXPECT_EQ(page_status, 200);
  EXPECT_NE(page.find("src=\"/app.js\""), std::string::npos) << page;

  const relmap::testing::TempPath more("relmap-demo-more.jsonl");
  std::ofstream(more.str()) << R"({"event_id":"demo-more-1","type":"request","v":1,"occurred_at":"2026-03-20T10:00:00Z","case_id":"DEMO-MORE-1","source":"t","from":"Night Desk","to":"Legal"})"
                            << "\n";
  run_command(kRelmap + " --log-level warn produce --brokers " + brokers + " " + more.str() + " 2>&1");
  EXPECT_TRUE(graph_holds("\"id\":\"Night Desk\"", 30s)) << "an event produced to the demo's Kafka never showed";
  EXPECT_EQ(relmap::testing::stop_process(demo, SIGINT), 0);
}

}  // namespace
}  // namespace relmap

namespace relmap {
namespace {

TEST(ReportCommand, EveryFormatFromAnEventFile) {
  const std::string report = kRelmap + " --log-level warn report --events " + kCorpus +
                             "chains.jsonl --department Y --from 2026-04-02 --to 2026-04-03 --format ";
  EXPECT_NE(run_command(report + "md").find("| Requests received | 3 (+3) |"), std::string::npos);
  EXPECT_NE(run_command(report + "json").find(R"("previous_window":{"from":"2026-03-31","to":"2026-04-01"})"),
            std::string::npos);
  EXPECT_NE(run_command(report + "csv").find("\"Y\",give_get,\"X\",\"Gives to them\",1,0,1\r\n"), std::string::npos);
  EXPECT_NE(run_command(report + "html").find("<h1>Handoff report: Y</h1>"), std::string::npos);
}

TEST(ReportCommand, DefaultsToTheLastFourWeeksOfTheData) {
  const std::string output = run_command(kRelmap + " --log-level warn report --events " + kCorpus +
                                         "chains.jsonl --department Y --format json");
  EXPECT_NE(output.find(R"("window":{"from":"2026-03-07","to":"2026-04-03"})"), std::string::npos) << output;
  EXPECT_NE(output.find(R"("previous_window":{"from":"2026-02-07","to":"2026-03-06"})"), std::string::npos) << output;
}

TEST(ReportCommand, AnUnknownDepartmentIsAnError) {
  const int status = std::system((kRelmap + " report --events " + kCorpus + "chains.jsonl --department Nobody > /dev/null 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

TEST(MapCommand, CompareSetsEveryStatisticBesideThePreviousWindow) {
  // chains.jsonl, 04-02..04-03 against 03-31..04-01 (see department_report_test.cpp).
  const std::string output = run_command(kRelmap + " --log-level warn map --events " + kCorpus +
                                         "chains.jsonl --from 2026-04-02 --to 2026-04-03 --compare");
  EXPECT_NE(output.find(R"("previous":{"requests_made":0,"requests_received":0,"gives":0,"gets":0,"give_ratio":null,)"
                        R"("not_my_role_rate":null,"dead_end_rate":null,"handoffs_in":3,"handoffs_out":3,)"),
            std::string::npos) << output;
  EXPECT_NE(output.find(R"("change":{"requests_made":0,"requests_received":3,"gives":1,"gets":0,"give_ratio":null,)"),
            std::string::npos) << output;
  EXPECT_NE(output.find(R"("previous_only":{"departments":[],"edges":[{"from":"Y","to":"Z",)"), std::string::npos) << output;
  EXPECT_NE(output.find(R"("previous_window":{"from":"2026-03-31","to":"2026-04-01"})"), std::string::npos) << output;
  const int status = std::system((kRelmap + " map --compare --events " + kCorpus + "chains.jsonl > /dev/null 2>&1").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "--compare needs a window";
}

}  // namespace
}  // namespace relmap
