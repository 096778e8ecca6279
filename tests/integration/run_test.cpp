// relmap run with every role in one process, against the real broker: what it is told by the file,
// what SIGHUP and SIGTERM do.
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include "../support/http_get.hpp"
#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using namespace std::chrono_literals;
using relmap::testing::http_get;
using relmap::testing::real_brokers;
using relmap::testing::run_command;
using relmap::testing::spawn;
using relmap::testing::stop_process;
using relmap::testing::TempPath;
using relmap::testing::unique_name;
using relmap::testing::wait_for_line;

const std::string kRelmap = RELMAP_BINARY;
const std::string kLifecycle = std::string(RELMAP_TEST_DATA_DIR) + "/events/lifecycle.jsonl";

int port_of(const std::string& line) { return std::stoi(line.substr(line.rfind(':') + 1)); }

int post_events(int port, const std::string& token, const std::string& body) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);
  const auto answer = client.Post("/v1/events", {{"Authorization", "Bearer " + token}}, body, "application/x-ndjson");
  return answer ? answer->status : 0;
}

/// Rewrites `path` and sends SIGHUP to `pid`; then asks `answers_with` until it gives `expected`.
bool reloaded(int pid, const std::string& path, const std::string& tokens, const std::function<int()>& answers_with, int expected) {
  std::ofstream(path) << tokens;
  ::kill(pid, SIGHUP);
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (answers_with() == expected) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST(RunCommand, AllRolesInOneProcessServeWhatWasPostedReloadTokensOnSighupAndDrainOnSigterm) {
  const std::string brokers = real_brokers();
  const std::string name = unique_name("run");
  run_command(kRelmap + " topics create --brokers " + brokers + " --partitions 2 --topic " + name + ".events --dlq-topic " + name +
              ".dlq --changelog-topic " + name + ".state --aggregates-topic " + name + ".aggregates --alerts-topic " + name +
              ".alerts --departments-topic " + name + ".departments >/dev/null");
  const TempPath ingest_tokens(name + ".ingest.tokens");
  const TempPath serve_tokens(name + ".serve.tokens");
  std::ofstream(ingest_tokens.str()) << "first-ingest-token\n";
  std::ofstream(serve_tokens.str()) << "first-ops operations\n";
  const TempPath config(name + ".toml");
  std::ofstream(config.str()) << "roles = [\"ingest\", \"aggregate\", \"alerts\", \"serve\"]\n"
                              << "[log]\nformat = \"json\"\n"
                              << "[kafka]\nbrokers = \"" << brokers << "\"\n"
                              << "[kafka.properties]\nsession.timeout.ms = 6000\n"
                              << "[topics]\nevents = \"" << name << ".events\"\ndead_letter = \"" << name << ".dlq\"\n"
                              << "changelog = \"" << name << ".state\"\naggregates = \"" << name << ".aggregates\"\n"
                              << "alerts = \"" << name << ".alerts\"\ndepartments = \"" << name << ".departments\"\n"
                              << "[ingest]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"" << ingest_tokens.str() << "\"\n"
                              << "[aggregate]\ngroup = \"" << name << "\"\nbatch_ms = 200\n"
                              << "[serve]\nlisten = \"127.0.0.1:0\"\ntoken_file = \"" << serve_tokens.str() << "\"\n"
                              << "refresh_seconds = 0.5\n";
  const TempPath out(name + ".out");
  const TempPath log(name + ".log");
  const int relmap = spawn({"/bin/sh", "-c", "exec " + kRelmap + " run --config " + config.str() + " 2>" + log.str()}, out.str());
  const int ingest = port_of(wait_for_line(out.str(), "relmap ingest: POST http://", 30s));
  const int serve = port_of(wait_for_line(out.str(), "relmap serve: http://", 30s));

  std::ifstream lifecycle_file(kLifecycle);
  const std::string lifecycle((std::istreambuf_iterator<char>(lifecycle_file)), std::istreambuf_iterator<char>());
  // The lifecycle file holds an invalid line: 400, its valid events stored.
  EXPECT_EQ(post_events(ingest, "second-ingest-token", lifecycle), 401);
  EXPECT_TRUE(reloaded(relmap, ingest_tokens.str(), "second-ingest-token\n",
                       [&] { return post_events(ingest, "second-ingest-token", lifecycle); }, 400))
      << "ingest did not take the new token after SIGHUP";
  EXPECT_EQ(post_events(ingest, "first-ingest-token", lifecycle), 401) << "a token taken out still works";

  EXPECT_EQ(http_get(serve, "/api/v1/graph", "second-ops").first, 401);
  EXPECT_TRUE(reloaded(relmap, serve_tokens.str(), "second-ops operations\n",
                       [&] { return http_get(serve, "/api/v1/graph", "second-ops").first; }, 200))
      << "serve did not take the new token after SIGHUP";

  // What serve answers is what relmap map computes from the file (each event posted twice: once counted).
  const std::string expected = run_command(kRelmap + " --log-level warn map --events " + kLifecycle + " --format json");
  rapidjson::Document file_graph;
  file_graph.Parse(expected.c_str());
  rapidjson::Document served_graph;
  for (int attempt = 0; attempt < 100; ++attempt) {
    served_graph.Parse(http_get(serve, "/api/v1/graph", "second-ops").second.c_str());
    if (!served_graph.HasParseError() && served_graph.IsObject() && served_graph["totals"] == file_graph["totals"]) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_FALSE(served_graph.HasParseError());
  EXPECT_EQ(served_graph["totals"], file_graph["totals"]);
  EXPECT_EQ(served_graph["departments"], file_graph["departments"]);
  EXPECT_EQ(served_graph["edges"], file_graph["edges"]);

  // SIGTERM: every role stops, ingest after its last acknowledgement, and the process exits 0.
  EXPECT_EQ(stop_process(relmap, SIGTERM), 0);
  const std::string lines = run_command("cat " + log.str());
  EXPECT_NE(lines.find("\"message\":\"relmap run: stopping (SIGTERM)\""), std::string::npos) << lines;
  EXPECT_NE(lines.find("\"logger\":\"ingest\",\"message\":\"1 ingest token(s) in use\""), std::string::npos) << lines;
  EXPECT_NE(lines.find(" 0 not stored\"}"), std::string::npos) << lines;
  EXPECT_EQ(run_command("grep -vc '^{\"time\":\"' " + log.str() + " || true"), "0\n") << "a log line that is not JSON: " << lines;
}

}  // namespace
}  // namespace relmap
