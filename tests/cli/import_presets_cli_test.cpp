// `--preset` at the command line: the ticket systems' sample exports (tests/data/imports, described
// in tests/unit/producers/import_presets_test.cpp) read by `relmap map` and `relmap produce` as a
// user would, with the flags beside a preset taking precedence over it.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using relmap::testing::run_command;
using relmap::testing::TempPath;

const std::string kRelmap = RELMAP_BINARY;
const std::string kImports = std::string(RELMAP_TEST_DATA_DIR) + "/imports/";

/// The graph JSON's handoffs by "from -> to", the departments shown by their names.
std::map<std::string, std::uint64_t> handoffs_by_name(const std::string& graph_json) {
  rapidjson::Document graph;
  graph.Parse(graph_json.c_str());
  EXPECT_FALSE(graph.HasParseError()) << graph_json;
  std::map<std::string, std::string> names;
  for (const auto& department : graph["departments"].GetArray()) names[department["id"].GetString()] = department["name"].GetString();
  std::map<std::string, std::uint64_t> handoffs;
  for (const auto& edge : graph["edges"].GetArray()) {
    if (edge["handoffs"].GetUint64() == 0) continue;
    handoffs[names[edge["from"].GetString()] + " -> " + names[edge["to"].GetString()]] = edge["handoffs"].GetUint64();
  }
  return handoffs;
}

// The audit's groups are sys_ids; a directory of sys_user_group's ids and names names them.
TEST(PresetCommandLine, ServiceNowAuditWithADirectoryOfItsGroupsMapsNamedGroups) {
  const TempPath directory("servicenow-groups.csv");
  std::ofstream(directory.str()) << "id,name\n8a5055c9c61122780043563ef53438e3,Service Desk\n"
                                    "287ebd7da9fe198100f92cc8d1d2154e,Network\n8a4dde73c6112278017a6a4baf547aa7,Hardware\n"
                                    "287ee6fea9fe198100ada7950d0b1b73,Database\n";
  const std::string graph = run_command(kRelmap + " --log-level warn map --preset servicenow-audit --events " + kImports +
                                        "servicenow-sys_audit.csv --directory " + directory.str());
  EXPECT_EQ(handoffs_by_name(graph), (std::map<std::string, std::uint64_t>{{"Database -> Network", 1},
                                                                            {"Hardware -> Database", 1},
                                                                            {"Network -> Service Desk", 1},
                                                                            {"Service Desk -> Hardware", 1},
                                                                            {"Service Desk -> Network", 1}}));
  EXPECT_NE(graph.find(R"("cases":4,"cases_without_handoff":1)"), std::string::npos) << graph.substr(0, 300);
}

TEST(PresetCommandLine, AFlagBesideThePresetWinsAndProduceReadsThePresetToo) {
  EXPECT_EQ(handoffs_by_name(run_command(kRelmap + " --log-level warn map --preset jira --dept-attr assignee --events " +
                                         kImports + "jira-search-changelog.json")),
            (std::map<std::string, std::uint64_t>{{"Alana Grant -> Bo Chen", 1}}));
  const std::string dry_run = run_command(kRelmap + " produce --dry-run --preset jira " + kImports +
                                          "jira-search-changelog.json 2>&1");
  EXPECT_NE(dry_run.find("3 case(s)"), std::string::npos) << dry_run;
  EXPECT_NE(dry_run.find("4 handoff(s)"), std::string::npos) << dry_run;
}

TEST(PresetCommandLine, AnUnknownPresetIsRefusedNamingTheKnownOnes) {
  const std::string refused = run_command(kRelmap + " map --preset remedy --events " + kImports +
                                          "jira-search-changelog.json 2>&1 || true");
  EXPECT_NE(refused.find("servicenow-audit"), std::string::npos) << refused;
}

}  // namespace
}  // namespace relmap
