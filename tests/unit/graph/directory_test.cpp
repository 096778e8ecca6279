// The department directory on tests/data/events/chains.jsonl with chains-directory.csv: X and Y
// (unit Service) talk only to each other; X hands cases to Y, Y to Z, Z asks W and hands on to V;
// Q (unit Operations, like W and Z) never appears in an event.
#include "relmap/graph/directory.hpp"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "../../support/event_files.hpp"

namespace relmap::graph {
namespace {

const std::string kDirectory = std::string(RELMAP_TEST_DATA_DIR) + "/events/chains-directory.csv";

RelationshipMap map_with_directory() {
  const auto aggregator = testing::aggregator_of_file("chains.jsonl");
  return build_relationship_map(aggregation::collect_aggregates({&aggregator}, {}), {}, read_directory_csv(kDirectory));
}

const DepartmentStats& department(const RelationshipMap& map, const std::string& id) {
  for (const auto& candidate : map.departments) {
    if (candidate.id == id) return candidate;
  }
  throw std::runtime_error("no department " + id);
}

TEST(Directory, ReadsNamesUnitsAndCustomerFacing) {
  const auto directory = read_directory_csv(kDirectory);
  ASSERT_EQ(directory.entries.size(), 6u);
  EXPECT_EQ(directory.name_of("Z"), "Warehouse & \"Dock\"");
  EXPECT_EQ(directory.name_of("unlisted"), "unlisted");
  EXPECT_EQ(directory.find("X")->unit, "Service");
  EXPECT_EQ(directory.find("X")->customer_facing, true);
  EXPECT_EQ(directory.find("Y")->customer_facing, false);
  EXPECT_FALSE(directory.find("W")->customer_facing.has_value());
  EXPECT_EQ(directory.find("V")->unit, "");
}

TEST(Directory, NamesEveryDepartmentAndListsTheSilentOnesAsIsolated) {
  const auto map = map_with_directory();
  ASSERT_EQ(map.departments.size(), 6u) << "V, W, X, Y, Z from the events, Q from the directory";
  EXPECT_EQ(department(map, "X").name, "Front desk");
  EXPECT_EQ(department(map, "Q").requests_received, 0u);
  ASSERT_FALSE(map.silos.empty());
  EXPECT_EQ(map.silos.back().kind, SiloKind::isolated);
  EXPECT_EQ(map.silos.back().departments, (std::vector<std::string>{"Q"}));
}

TEST(Directory, FormalUnitsBesideTheCommunities) {
  const auto map = map_with_directory();
  // Communities: {Q} (alone), {V, W, Z}, {X, Y}, numbered by their first department.
  ASSERT_EQ(map.communities.size(), 3u);
  EXPECT_EQ(map.communities[1].departments, (std::vector<std::string>{"V", "W", "Z"}));
  EXPECT_EQ(map.communities[1].units, (std::vector<std::string>{"Operations"})) << "V has no unit";
  ASSERT_EQ(map.units.size(), 2u);
  EXPECT_EQ(map.units[0].unit, "Operations");
  EXPECT_EQ(map.units[0].departments, (std::vector<std::string>{"Q", "W", "Z"}));
  EXPECT_EQ(map.units[0].communities, (std::vector<int>{0, 1}));
  EXPECT_TRUE(map.units[0].split()) << "Q works apart from the rest of its unit";
  EXPECT_EQ(map.units[1].unit, "Service");
  EXPECT_FALSE(map.units[1].split());
}

std::string write_temporary(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

/// What reading the directory at `path` throws, or "no error".
std::string message_of(const std::string& path) {
  try {
    read_directory_csv(path);
  } catch (const std::runtime_error& error) {
    return std::string(error.what());
  }
  return std::string("no error");
}

TEST(Directory, BadFilesAreClearErrors) {
  const auto no_id = write_temporary("no-id.csv", "name,unit\nA,B\n");
  EXPECT_EQ(message_of(no_id), no_id + ":1: the header has no 'id' column (id,name,unit,customer_facing)");
  const auto twice = write_temporary("twice.csv", "id,name\nA,a\nA,b\n");
  EXPECT_EQ(message_of(twice), twice + ":3: id 'A' is listed twice");
  const auto flag = write_temporary("flag.csv", "id,customer_facing\nA,maybe\n");
  EXPECT_EQ(message_of(flag), flag + ":2: customer_facing must be true or false, not 'maybe'");
  const auto control = write_temporary("control.csv", "id\n\"A\tB\"\n");
  EXPECT_EQ(message_of(control), control + ":2: id 'A\tB': contains a control character");
}

// A line break in a name split labels, and XML cannot hold most control characters at all.
TEST(Directory, NamesAndUnitsThatNoExportCouldShowAreRefusedWithTheirLine) {
  const auto line_break = write_temporary("name-break.csv", "id,name\nA,\"two\nlines\"\n");
  EXPECT_EQ(message_of(line_break), line_break + ":2: name of 'A': contains a control character (a line break, a tab, ...)");
  const auto not_utf8 = write_temporary("unit-bytes.csv", "id,unit\nA,\xFF\n");
  EXPECT_EQ(message_of(not_utf8), not_utf8 + ":2: unit of 'A': not valid UTF-8");
  EXPECT_FALSE(directory_entry_from_json("IT", R"({"name":"two\nlines"})").has_value());
}

TEST(Directory, TopicRecordsRoundTrip) {
  const DirectoryEntry entry{"IT", "Information Technology", "Corporate", false};
  const auto back = directory_entry_from_json("IT", to_json(entry));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->name, "Information Technology");
  EXPECT_EQ(back->unit, "Corporate");
  EXPECT_EQ(back->customer_facing, false);
  EXPECT_EQ(directory_entry_from_json("IT", "{}")->name, "IT");
  EXPECT_FALSE(directory_entry_from_json("IT", R"({"name": 3})").has_value());
  EXPECT_FALSE(directory_entry_from_json("IT", "not json").has_value());
}

}  // namespace
}  // namespace relmap::graph
