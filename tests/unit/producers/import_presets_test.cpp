// Import presets for the exports ticket systems write. Each sample in tests/data/imports is written
// in its system's documented format, with changes of other fields and rows in the order the system
// exports them; the expected handoffs were counted by hand from the sample (listed in each test).
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "relmap/producer/input.hpp"
#include "relmap/producer/process_log.hpp"

namespace relmap::producer {
namespace {

const std::string kImports = std::string(RELMAP_TEST_DATA_DIR) + "/imports/";

struct Read {
  std::vector<std::string> handoffs;  ///< "case: from -> to at time", in the order they were emitted
  ProcessLogCounts counts;
};

ProcessLogSettings settings_of(const std::string& preset_name) {
  const ImportPreset* preset = find_import_preset(preset_name);
  if (preset == nullptr) throw std::invalid_argument("no preset " + preset_name);
  ProcessLogSettings settings;
  apply_csv_mapping(preset->mapping, "preset " + preset_name, settings);
  return settings;
}

Read read_with(const std::string& path, const std::string& preset_name, const ProcessLogSettings& settings) {
  Read read;
  const auto on_handoff = [&](const schemas::Event& event) {
    const auto& handoff = std::get<schemas::Handoff>(event.body);
    if (!handoff.from) return;  // a case's opening
    read.handoffs.push_back(event.case_id.value_or("") + ": " + *handoff.from + " -> " + handoff.to + " at " + format_rfc3339(event.occurred_at));
  };
  const ImportPreset* preset = find_import_preset(preset_name);
  const InputFormat format = preset->format;
  if (format == InputFormat::jira) {
    read.counts = read_jira_changelog(path, settings, on_handoff);
  } else {
    read.counts = read_csv_log(path, settings, on_handoff);
  }
  return read;
}

Read read_with(const std::string& path, const std::string& preset_name) {
  return read_with(path, preset_name, settings_of(preset_name));
}

// sys_audit, newest row first as the list exports it; group sys_ids: Service Desk 8a5055c9...,
// Network 287ebd7d..., Hardware 8a4dde73..., Database 287ee6fe.... By hand: incident 9c573169 goes
// Service Desk -> Network -> Service Desk (2); incident 9d385017 Service Desk -> Hardware ->
// Database (2); incident e8caedcb stays with the Service Desk (0); problem 62304320 Database ->
// Network (1). The state, priority and assigned_to changes and the user's department change are
// not moves between groups. 5 handoffs in 4 cases.
TEST(ImportPreset, ServiceNowAuditGivesTheAssignmentGroupChanges) {
  const auto read = read_with(kImports + "servicenow-sys_audit.csv", "servicenow-audit");
  const std::string desk = "8a5055c9c61122780043563ef53438e3", network = "287ebd7da9fe198100f92cc8d1d2154e",
                    hardware = "8a4dde73c6112278017a6a4baf547aa7", database = "287ee6fea9fe198100ada7950d0b1b73";
  // Cases come in the order the file first names them, each case's handoffs in time order.
  EXPECT_EQ(read.handoffs, (std::vector<std::string>{
                               "62304320731823002728660c4cf6a7e8: " + database + " -> " + network + " at 2026-03-02T15:10:00Z",
                               "9d385017c611228701d22104cc95c371: " + desk + " -> " + hardware + " at 2026-03-02T10:20:00Z",
                               "9d385017c611228701d22104cc95c371: " + hardware + " -> " + database + " at 2026-03-02T12:00:00Z",
                               "9c573169c611228700193229fff72400: " + desk + " -> " + network + " at 2026-03-02T09:30:00Z",
                               "9c573169c611228700193229fff72400: " + network + " -> " + desk + " at 2026-03-02T11:15:00Z",
                           }));
  EXPECT_EQ(read.counts.cases, 4u);
  EXPECT_EQ(read.counts.handoffs, 5u);
  EXPECT_EQ(read.counts.skipped_rows, 4u) << "state, priority, assigned_to and the user's department";
}

// metric_instance of the Assignment Group metric, newest first, beside rows of two other metrics.
// By hand: INC0010001 Service Desk -> Network -> Service Desk (2), INC0010002 Service Desk ->
// Hardware -> Database (2), INC0010003 stays with the Service Desk (0): 4 handoffs in 3 cases.
TEST(ImportPreset, ServiceNowMetricGivesTheAssignmentGroupPeriods) {
  const auto read = read_with(kImports + "servicenow-metric_instance.csv", "servicenow-metric");
  EXPECT_EQ(read.handoffs, (std::vector<std::string>{
                               "INC0010002: Service Desk -> Hardware at 2026-03-02T10:20:00Z",
                               "INC0010002: Hardware -> Database at 2026-03-02T12:00:00Z",
                               "INC0010001: Service Desk -> Network at 2026-03-02T09:30:00Z",
                               "INC0010001: Network -> Service Desk at 2026-03-02T11:15:00Z",
                           }));
  EXPECT_EQ(read.counts.cases, 3u);
  EXPECT_EQ(read.counts.skipped_rows, 2u) << "Assigned to Duration and Incident State Duration";
}

// A search answer with expand=changelog; times in +0100. By hand: SUP-1 Service Desk -> Network ->
// Service Desk (2; its histories listed newest first), SUP-2 set to the Service Desk, then Hardware,
// then Database (2), SUP-3 no Team change (0): 4 handoffs in 3 cases, in UTC.
TEST(ImportPreset, JiraFollowsTheTeamFieldOfEachIssuesChangelog) {
  const auto read = read_with(kImports + "jira-search-changelog.json", "jira");
  EXPECT_EQ(read.handoffs, (std::vector<std::string>{
                               "SUP-1: Service Desk -> Network at 2026-03-02T08:30:00Z",
                               "SUP-1: Network -> Service Desk at 2026-03-02T10:15:00Z",
                               "SUP-2: Service Desk -> Hardware at 2026-03-02T09:20:00Z",
                               "SUP-2: Hardware -> Database at 2026-03-02T11:00:00Z",
                           }));
  EXPECT_EQ(read.counts.cases, 3u);
}

// The preset's field gives way to a flag's: the assignee changed once, on SUP-1 (Alana Grant to Bo
// Chen). The field can be named by its id too (customfield_10001 is the Team field).
TEST(ImportPreset, JiraFollowsAnotherFieldByNameOrId) {
  auto settings = settings_of("jira");
  settings.department_attribute = "assignee";
  EXPECT_EQ(read_with(kImports + "jira-search-changelog.json", "jira", settings).handoffs,
            (std::vector<std::string>{"SUP-1: Alana Grant -> Bo Chen at 2026-03-02T10:15:00Z"}));
  settings.department_attribute = "customfield_10001";
  EXPECT_EQ(read_with(kImports + "jira-search-changelog.json", "jira", settings).handoffs.size(), 4u);
}

std::string failure_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

// Jira returns at most the latest histories of an expanded changelog, with their `total`: read as
// they are, the issue's earlier handoffs would be lost without a word.
TEST(ImportPreset, AJiraChangelogCutShortIsAnErrorNamingTheIssue) {
  const std::string path = ::testing::TempDir() + "jira-cut-short.json";
  std::ofstream(path) << R"({"issues":[{"key":"SUP-9","changelog":{"startAt":0,"maxResults":1,"total":120,"histories":[)"
                      << R"({"created":"2026-03-02T09:30:00.000+0100","items":[{"field":"Team","fromString":"A","toString":"B"}]}]}}]})";
  const std::string failure = failure_of([&] { read_with(path, "jira"); });
  EXPECT_NE(failure.find("issue 1: SUP-9: the changelog holds 1 of its 120 histories"), std::string::npos) << failure;
  EXPECT_NE(failure.find("/rest/api/3/issue/SUP-9/changelog"), std::string::npos) << failure;
}

TEST(ImportPreset, AMappingLineThatIsNoneOfTheKeysNamesItsLine) {
  ProcessLogSettings settings;
  EXPECT_EQ(failure_of([&] { apply_csv_mapping("case=number\nonly_where=fieldname\n", "mine.map", settings); }),
            "mine.map:2: expected case=, time=, department=, previous_department=, only_where=COLUMN=VALUE or "
            "delimiter=<one character>, not \"only_where=fieldname\"");
  EXPECT_EQ(settings.case_column, "number");
  EXPECT_EQ(find_import_preset("remedy"), nullptr);
}

}  // namespace
}  // namespace relmap::producer
