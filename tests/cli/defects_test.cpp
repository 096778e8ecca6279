// Regression tests of issue 23's defects that show at the command line: each runs the relmap
// binary as a user would, without a broker.
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <sys/wait.h>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using relmap::testing::TempPath;

const std::string kRelmap = RELMAP_BINARY;

/// The exit status of a shell command line.
int exit_status(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kValidHandoff =
    R"({"event_id":"e1","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c1","source":"t","from":"A","to":"B"})";
// Invalid (from == to), and naming a person.
const std::string kInvalidWithActor =
    R"({"event_id":"e2","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c1","source":"t","from":"A","to":"A","actor":"Jane Doe"})";

TEST(ProduceDefects, ADryRunWithInvalidRecordsFailsSoThatItCanGateAJob) {
  const TempPath events("dry-run.jsonl");
  std::ofstream(events.str()) << kValidHandoff << "\n" << kInvalidWithActor << "\n";
  EXPECT_EQ(exit_status(kRelmap + " --log-level off produce --dry-run " + events.str() + " 2>/dev/null"), 4);
  std::ofstream(events.str()) << kValidHandoff << "\n";
  EXPECT_EQ(exit_status(kRelmap + " --log-level off produce --dry-run " + events.str() + " 2>/dev/null"), 0);
}

TEST(ProduceDefects, RejectedRecordsKeepNoActorInClearAndAKeyFileLineEndIsNotPartOfTheKey) {
  const TempPath events("rejects-actor.jsonl");
  std::ofstream(events.str()) << kInvalidWithActor << "\n"
                              << R"({"event_id":"e3","type":"handoff","actor":"Jane Doe",)" << "\n";  // not JSON
  const TempPath key_file("actor-key");
  std::ofstream(key_file.str()) << "k3y-material\n";
  const TempPath from_file("rejects-from-file.tsv");
  const TempPath from_environment("rejects-from-environment.tsv");
  const std::string produce = kRelmap + " --log-level off produce --dry-run " + events.str();
  exit_status(produce + " --actor-key-file " + key_file.str() + " --rejects " + from_file.str() + " 2>/dev/null");
  exit_status("RELMAP_ACTOR_KEY=k3y-material " + produce + " --rejects " + from_environment.str() + " 2>/dev/null");
  const std::string rejects = contents(from_file.str());
  EXPECT_EQ(rejects.find("Jane"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find(R"("actor":"hmac-sha256:)"), std::string::npos) << rejects;
  EXPECT_NE(rejects.find("withheld"), std::string::npos) << "the record that is not JSON: " << rejects;
  EXPECT_EQ(rejects, contents(from_environment.str())) << "one person, one pseudonym";
}

TEST(CommandLineDefects, AUsageErrorExitsWithTwoNotCli11sOwnCode) {
  EXPECT_EQ(exit_status(kRelmap + " produce --no-such-option x 2>/dev/null"), 2);
  EXPECT_EQ(exit_status(kRelmap + " map --format nonsense --events x 2>/dev/null"), 2);
  EXPECT_EQ(exit_status(kRelmap + " --help >/dev/null"), 0);
}

// The SVG export ran "dot -Tsvg $TMPDIR/..." through a shell: whatever TMPDIR held was run.
TEST(ExportDefects, TheSvgExportNeverRunsWhatTmpdirHolds) {
  const TempPath base("tmpdir-injection");
  const std::string marker = base.str() + "/ran";
  const std::string hostile_tmpdir = base.str() + "/a;touch " + marker + ";b";
  std::filesystem::create_directories(hostile_tmpdir);
  const TempPath svg("tmpdir-injection.svg");
  const std::string events = std::string(RELMAP_TEST_DATA_DIR) + "/events/chains.jsonl";
  EXPECT_EQ(exit_status("TMPDIR='" + hostile_tmpdir + "' " + kRelmap + " --log-level warn map --format svg --events " +
                        events + " > " + svg.str()),
            0);
  EXPECT_FALSE(std::filesystem::exists(marker));
  EXPECT_NE(contents(svg.str()).find("</svg>"), std::string::npos);
}

TEST(MapDefects, AWindowThatEndsBeforeItStartsIsAUsageError) {
  const std::string events = std::string(RELMAP_TEST_DATA_DIR) + "/events/chains.jsonl";
  EXPECT_EQ(exit_status(kRelmap + " map --events " + events + " --from 2026-04-02 --to 2026-03-01 >/dev/null 2>&1"), 2);
  EXPECT_EQ(exit_status(kRelmap + " report --department Y --events " + events + " --from 2026-05-01 >/dev/null 2>&1"), 2)
      << "--to defaults to the last event's day, 2026-04-03";
  EXPECT_EQ(exit_status(kRelmap + " map --events " + events + " --from 2026-04-02 --to 2026-04-02 >/dev/null 2>&1"), 0);
}

// An XES log whose events lack the chosen attribute gave an empty map and exit 0.
TEST(MapDefects, ALogWithoutTheDepartmentAttributeNamesTheAttributesItHas) {
  const TempPath errors("missing-attribute.err");
  EXPECT_EQ(exit_status(kRelmap + " map --events " + std::string(RELMAP_TEST_DATA_DIR) +
                        "/logs/running-example.xes --dept-attr org:group >/dev/null 2>" + errors.str()),
            1);
  EXPECT_NE(contents(errors.str()).find("none of the 42 events of"), std::string::npos) << contents(errors.str());
  EXPECT_NE(contents(errors.str()).find("their attributes: Activity, Costs, Resource, concept:name, org:resource, time:timestamp"),
            std::string::npos)
      << contents(errors.str());
}

// One accepted event dated 9999-12-31 moved the watermark past every deadline: every open request
// expired (dead-end rate 0 to 1).
TEST(MapDefects, OneEventFromTheFarFutureIsRejectedInsteadOfExpiringEveryRequest) {
  const TempPath events("far-future.jsonl");
  std::ofstream(events.str())
      << R"({"event_id":"r1","type":"request","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c1","source":"t","from":"Sales","to":"Legal"})" "\n"
      << R"({"event_id":"h9","type":"handoff","v":1,"occurred_at":"9999-12-31T23:59:59Z","case_id":"c2","source":"t","from":"IT","to":"Ops"})" "\n";
  const TempPath map("far-future.json");
  ASSERT_EQ(exit_status(kRelmap + " --log-level warn map --events " + events.str() + " > " + map.str()), 0);
  const std::string json = contents(map.str());
  EXPECT_NE(json.find(R"("rejected":1)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("watermark":"2026-03-02T09:00:00Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("open":1,"expired":0)"), std::string::npos) << json;
  // The bound is the user's to move.
  ASSERT_EQ(exit_status(kRelmap + " --log-level warn map --latest-ahead-hours 100000000 --events " + events.str() + " > " + map.str()), 0);
  EXPECT_NE(contents(map.str()).find(R"("expired":1)"), std::string::npos) << contents(map.str());
}

// Handoffs at equal times were ordered by their ids, an XES import's hashes: on repairExample, 869
// ping-pongs where the log holds 1,152. The contract's stable sort: the log's order breaks ties.
TEST(MapDefects, HandoffsAtTheSameTimeKeepTheLogsOrder) {
  const TempPath log("equal-times.xes");
  {
    std::ofstream out(log.str());
    out << "<log>\n";
    for (int trace = 0; trace < 20; ++trace) {
      out << "<trace><string key=\"concept:name\" value=\"T" << trace << "\"/>\n";
      for (const char* group : {"A", "B", "A", "C", "A"}) {
        out << "<event><string key=\"org:group\" value=\"" << group
            << "\"/><date key=\"time:timestamp\" value=\"2026-03-02T09:00:00Z\"/></event>\n";
      }
      out << "</trace>\n";
    }
    out << "</log>\n";
  }
  const TempPath map("equal-times.json");
  ASSERT_EQ(exit_status(kRelmap + " --log-level warn map --events " + log.str() + " > " + map.str()), 0);
  rapidjson::Document graph;
  graph.Parse(contents(map.str()).c_str());
  ASSERT_TRUE(graph.IsObject());
  std::map<std::string, std::uint64_t> ping_pong;
  for (const auto& edge : graph["edges"].GetArray()) {
    ping_pong[std::string(edge["from"].GetString()) + ">" + edge["to"].GetString()] = edge["ping_pong"].GetUint64();
  }
  // A>B, B>A, A>C, C>A in every trace: B>A and C>A each go back.
  EXPECT_EQ(ping_pong, (std::map<std::string, std::uint64_t>{{"A>B", 0}, {"A>C", 0}, {"B>A", 20}, {"C>A", 20}}));
}

// totals.cases counted 3,820 of BPIC 2013's 7,554 traces (those with a handoff) and the departments
// 628 of its 649 support teams (those that handed a case on or took one).
TEST(MapDefects, EveryTraceOfTheLogIsACaseAndEveryTeamADepartment) {
  const TempPath map("bpic2013.json");
  ASSERT_EQ(exit_status(kRelmap + " --log-level warn map --events " + std::string(RELMAP_TEST_DATA_DIR) +
                        "/logs/bpic2013-incidents.xes.gz > " + map.str()),
            0);
  rapidjson::Document graph;
  graph.Parse(contents(map.str()).c_str());
  ASSERT_TRUE(graph.IsObject());
  EXPECT_EQ(graph["totals"]["cases"].GetUint64(), 7554u);
  EXPECT_EQ(graph["totals"]["cases_without_handoff"].GetUint64(), 7554u - 3820u);
  EXPECT_EQ(graph["departments"].Size(), 649u);
  std::uint64_t handoffs = 0;
  for (const auto& edge : graph["edges"].GetArray()) handoffs += edge["handoffs"].GetUint64();
  EXPECT_EQ(handoffs, 9454u) << "the openings are no relationship: PM4Py's handover count stands";
  EXPECT_EQ(graph["chains"]["cases"].GetUint64(), 7554u);
}

}  // namespace
}  // namespace relmap
