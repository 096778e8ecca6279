// relmap serve against the real broker: it follows what relmap aggregate commits while both run.
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../support/http_get.hpp"
#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using namespace std::chrono_literals;
using relmap::testing::real_brokers;
using relmap::testing::run_command;
using relmap::testing::spawn;
using relmap::testing::stop_process;
using relmap::testing::TempPath;
using relmap::testing::unique_name;
using relmap::testing::wait_for_line;

const std::string kRelmap = RELMAP_BINARY;

std::pair<int, std::string> http_get(int port, const std::string& target) {
  return relmap::testing::http_get(port, target, "live-ops");
}

std::uint64_t events_in(const std::string& graph_json) {
  rapidjson::Document graph;
  graph.Parse(graph_json.c_str());
  if (graph.HasParseError() || !graph.IsObject()) return 0;
  return graph["totals"]["events"].GetUint64();
}

TEST(Serve, ShowsEventsProducedWhileItAndTheAggregatorRunWithinFiveSeconds) {
  const std::string brokers = real_brokers();
  const std::string name = unique_name("serve");
  const std::string flags = "--brokers " + brokers + " --topic " + name + ".events --dlq-topic " + name +
                            ".dlq --changelog-topic " + name + ".state --aggregates-topic " + name +
                            ".aggregates --alerts-topic " + name + ".alerts --departments-topic " + name + ".departments";
  run_command(kRelmap + " topics create " + flags + " --partitions 3 >/dev/null");
  const TempPath events(name + ".jsonl");
  run_command(kRelmap + " generate --seed 5 --cases 300 -o " + events.str() + " 2>/dev/null");
  run_command(kRelmap + " --log-level warn produce " + flags + " " + events.str() + " 2>&1");
  const auto produced_events = [&] {
    return std::stoull(run_command("grep -c . " + events.str()));
  };

  const TempPath tokens(name + ".tokens");
  std::ofstream(tokens.str()) << "live-ops operations\n";
  std::vector<std::string> aggregate = {kRelmap, "--log-level", "warn", "aggregate", "--group", name,
                                        "--batch-ms", "200", "-X", "session.timeout.ms=6000"};
  std::vector<std::string> serve = {kRelmap, "--log-level", "warn", "serve", "--listen", "127.0.0.1:0",
                                    "--token-file", tokens.str(), "--refresh-seconds", "1"};
  for (auto* argv : {&aggregate, &serve}) {
    std::istringstream split(flags);
    for (std::string word; split >> word;) argv->push_back(word);
  }
  const TempPath serve_out(name + ".serve.out");
  const int aggregator = spawn(aggregate, "/dev/null");
  const int server = spawn(serve, serve_out.str());
  const auto line = wait_for_line(serve_out.str(), "relmap serve: http://", 30s);
  ASSERT_FALSE(line.empty()) << "serve printed no address";
  const int port = std::stoi(line.substr(line.rfind(':') + 1));

  const auto wait_for_events = [&](std::uint64_t expected, std::chrono::seconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    std::uint64_t seen = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto [status, body] = http_get(port, "/api/v1/graph");
      if (status == 200) seen = events_in(body);
      if (seen == expected) return seen;
      std::this_thread::sleep_for(100ms);
    }
    return seen;
  };
  // The aggregator starts and joins its group first: the first events take it longer.
  EXPECT_EQ(wait_for_events(produced_events(), 60s), produced_events());
  EXPECT_EQ(http_get(port, "/readyz").first, 200);
  // Each andon pull reaches the alerts topic with the aggregator's commit, and the API with the next snapshot.
  const auto andons = std::stoull(run_command("grep -c '\"type\":\"andon\"' " + events.str() + " || true"));
  ASSERT_GT(andons, 0u);
  std::size_t listed = 0;
  for (int attempt = 0; attempt < 50 && listed != andons; ++attempt) {
    rapidjson::Document alerts;
    alerts.Parse(http_get(port, "/api/v1/alerts?kind=andon&limit=10000").second.c_str());
    listed = !alerts.HasParseError() && alerts.IsObject() ? alerts["alerts"].Size() : 0;
    if (listed != andons) std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(listed, andons);

  const std::string more =
      R"({"event_id":"live-1","type":"request","v":1,"occurred_at":"2026-03-20T10:00:00Z","case_id":"LIVE-1","source":"t","from":"Live Desk","to":"Legal"})"
      "\n"
      R"({"event_id":"live-2","type":"response","v":1,"occurred_at":"2026-03-20T11:00:00Z","case_id":"LIVE-1","source":"t","from":"Legal","to":"Live Desk","request_id":"live-1","outcome":"declined"})"
      "\n";
  const TempPath more_file(name + ".more.jsonl");
  std::ofstream(more_file.str()) << more;
  const auto before = produced_events();
  run_command(kRelmap + " --log-level warn produce " + flags + " " + more_file.str() + " 2>&1");
  const auto produced_at = std::chrono::steady_clock::now();
  EXPECT_EQ(wait_for_events(before + 2, 5s), before + 2) << "the new events were not served within 5 s";
  const auto visible_after = std::chrono::steady_clock::now() - produced_at;
  EXPECT_LT(visible_after, 5s);
  const auto [status, departments] = http_get(port, "/api/v1/departments");
  EXPECT_EQ(status, 200);
  EXPECT_NE(departments.find("\"Live Desk\""), std::string::npos);

  EXPECT_EQ(stop_process(server, SIGTERM), 0);
  stop_process(aggregator, SIGTERM);
}

}  // namespace
}  // namespace relmap
