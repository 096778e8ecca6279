// XES import: the handoff count equals the direct department-to-department successions of the log
// (the "handover of work" network of process-mining tools). Expected values were computed from the
// logs by a separate route (Python's ElementTree), not by this code.
#include "relmap/producer/process_log.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <zlib.h>

#include "relmap/producer/input.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::producer {
namespace {

const std::string kLogs = std::string(RELMAP_TEST_DATA_DIR) + "/logs/";

Timestamp at(const char* text) { return *parse_rfc3339(text); }

/// The handoffs between departments, by pair; a case's opening (no `from`) is none of them.
std::map<std::pair<std::string, std::string>, int> handoff_pairs(const std::vector<schemas::Event>& events) {
  std::map<std::pair<std::string, std::string>, int> pairs;
  for (const auto& event : events) {
    const auto& handoff = std::get<schemas::Handoff>(event.body);
    if (handoff.from) ++pairs[{*handoff.from, handoff.to}];
  }
  return pairs;
}

TEST(HandoffsOfCase, OrdersByTimeStablyAndSkipsActivitiesWithoutDepartment) {
  const std::vector<LoggedActivity> activities = {
      {at("2026-03-02T10:00:00Z"), "B"},
      {at("2026-03-02T09:00:00Z"), "A"},
      {at("2026-03-02T10:00:00Z"), "C"},   // same time as B: log order keeps B first
      {at("2026-03-02T11:00:00Z"), std::nullopt},
      {at("2026-03-02T12:00:00Z"), "C"},   // no change: no handoff
      {std::nullopt, "Z"},                 // no timestamp: cannot be placed
      {at("2026-03-02T13:00:00+01:00"), "A"},
  };
  const auto handoffs = handoffs_of_case("test", "case-1", activities);
  ASSERT_EQ(handoffs.size(), 4u);
  const auto pairs = handoff_pairs(handoffs);
  EXPECT_EQ(pairs, (std::map<std::pair<std::string, std::string>, int>{{{"A", "B"}, 1}, {{"B", "C"}, 1}, {{"C", "A"}, 1}}));
  const auto& opening = std::get<schemas::Handoff>(handoffs[0].body);
  EXPECT_EQ(opening.from, std::nullopt) << "the case opens at its first department";
  EXPECT_EQ(opening.to, "A");
  EXPECT_EQ(format_rfc3339(handoffs[0].occurred_at), "2026-03-02T09:00:00Z");
  EXPECT_EQ(format_rfc3339(handoffs[1].occurred_at), "2026-03-02T10:00:00Z");
  EXPECT_EQ(format_rfc3339(handoffs[3].occurred_at), "2026-03-02T12:00:00Z");
  EXPECT_EQ(handoffs[0].case_id, "case-1");
  EXPECT_EQ(handoffs[0].source, "test");
}

TEST(HandoffsOfCase, IdsAreDeterministicAndDistinct) {
  const std::vector<LoggedActivity> activities = {{at("2026-03-02T09:00:00Z"), "A"}, {at("2026-03-02T10:00:00Z"), "B"},
                                                  {at("2026-03-02T11:00:00Z"), "A"}};
  const auto first = handoffs_of_case("log", "case-1", activities);
  const auto again = handoffs_of_case("log", "case-1", activities);
  const auto other_case = handoffs_of_case("log", "case-2", activities);
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].event_id, again[0].event_id);
  EXPECT_EQ(first[1].event_id, again[1].event_id);
  EXPECT_EQ(first[2].event_id, again[2].event_id);
  EXPECT_NE(first[0].event_id, first[1].event_id);
  EXPECT_NE(first[1].event_id, first[2].event_id);
  EXPECT_NE(first[0].event_id, other_case[0].event_id);
  EXPECT_EQ(first[0].event_id.size(), 36u);
}

TEST(ReadXes, RunningExampleHandoversBetweenResources) {
  std::vector<schemas::Event> handoffs;
  const auto counts = read_xes(kLogs + "running-example.xes", {"org:resource", "running-example"},
                               [&](const schemas::Event& event) { handoffs.push_back(event); });
  EXPECT_EQ(counts.cases, 6u);
  EXPECT_EQ(counts.activities, 42u);
  EXPECT_EQ(counts.handoffs, 32u);
  const std::map<std::pair<std::string, std::string>, int> expected = {
      {{"Ellen", "Mike"}, 3}, {{"Ellen", "Sara"}, 1}, {{"Mike", "Ellen"}, 2}, {{"Mike", "Pete"}, 1},
      {{"Mike", "Sara"}, 3},  {{"Mike", "Sean"}, 2},  {{"Pete", "Mike"}, 2},  {{"Pete", "Sara"}, 3},
      {{"Pete", "Sue"}, 1},   {{"Sara", "Ellen"}, 4}, {{"Sara", "Mike"}, 2},  {{"Sara", "Pete"}, 1},
      {{"Sara", "Sean"}, 1},  {{"Sara", "Sue"}, 1},   {{"Sean", "Pete"}, 1},  {{"Sean", "Sara"}, 2},
      {{"Sue", "Mike"}, 1},   {{"Sue", "Pete"}, 1}};
  EXPECT_EQ(handoff_pairs(handoffs), expected);
}

TEST(ReadXes, Bpic2013GzippedLogHandoversBetweenSupportTeams) {
  std::map<std::pair<std::string, std::string>, int> pairs;
  std::uint64_t handoffs = 0;
  std::set<std::string> opened;
  const auto counts = read_xes(kLogs + "bpic2013-incidents.xes.gz", {"org:group", "bpic2013"},
                               [&](const schemas::Event& event) {
                                 const auto& handoff = std::get<schemas::Handoff>(event.body);
                                 if (!handoff.from) {
                                   EXPECT_TRUE(opened.insert(*event.case_id).second) << "one opening a case";
                                   return;
                                 }
                                 ++handoffs;
                                 ++pairs[{*handoff.from, handoff.to}];
                               });
  EXPECT_EQ(opened.size(), 7554u) << "every incident is a case, also the 3,734 that stayed with one team";
  EXPECT_EQ(counts.handoffs, 9454u);
  EXPECT_EQ(counts.cases, 7554u);
  EXPECT_EQ(counts.activities, 65533u);
  EXPECT_EQ(counts.without_timestamp, 0u);
  EXPECT_EQ(handoffs, 9454u);
  EXPECT_EQ(pairs.size(), 2463u);
  EXPECT_EQ((pairs[{"G96", "G97"}]), 255);
  EXPECT_EQ((pairs[{"D5", "D4"}]), 123);
  EXPECT_EQ((pairs[{"D4", "D5"}]), 92);
}

TEST(ReadXes, EveryHandoffIsAValidContractEvent) {
  const schemas::Decoder decoder;
  int checked = 0;
  for_each_input_record(kLogs + "running-example.xes", InputFormat::xes, {"org:resource", "running-example"},
                        [&](std::string_view record, std::uint64_t) {
                          const auto decoded = decoder.decode(record);
                          ASSERT_TRUE(decoded.has_value()) << record << ": " << decoded.error().to_string();
                          EXPECT_EQ(schemas::to_json(decoded.value()), record);
                          ++checked;
                        });
  EXPECT_EQ(checked, 32 + 6) << "32 handoffs and the opening of each of the 6 cases";
}

TEST(ReadXes, ReportsMalformedXmlWithItsLine) {
  const std::string path = ::testing::TempDir() + "relmap-broken.xes";
  {
    std::ofstream out(path);
    out << "<log>\n<trace>\n<event>\n</trace>\n</log>\n";
  }
  try {
    read_xes(path, {}, [](const schemas::Event&) {});
    FAIL() << "malformed XML must be reported";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(":4: not well-formed XES: mismatched tag"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(read_xes(path + ".absent", {}, [](const schemas::Event&) {}), std::runtime_error);
}

TEST(InputFormat, FollowsTheFileNameUnlessGiven) {
  EXPECT_EQ(resolve_input_format("a.jsonl", ""), InputFormat::jsonl);
  EXPECT_EQ(resolve_input_format("a.xes.gz", ""), InputFormat::xes);
  EXPECT_EQ(resolve_input_format("a.xes", ""), InputFormat::xes);
  EXPECT_EQ(resolve_input_format("-", ""), InputFormat::jsonl);
  EXPECT_EQ(resolve_input_format("a.log", "xes"), InputFormat::xes);
  EXPECT_THROW(resolve_input_format("a.log", ""), std::invalid_argument);
  EXPECT_THROW(resolve_input_format("a.jsonl", "parquet"), std::invalid_argument);
}

}  // namespace
}  // namespace relmap::producer

namespace relmap::producer {
namespace {


TEST(ReadCsvLog, RunningExampleGivesTheSameHandoffsAsItsXes) {
  std::vector<schemas::Event> from_csv;
  std::vector<schemas::Event> from_xes;
  ProcessLogSettings settings{"org:resource", "running-example"};
  const auto counts = read_csv_log(kLogs + "running-example.csv", settings,
                                   [&](const schemas::Event& event) { from_csv.push_back(event); });
  read_xes(kLogs + "running-example.xes", settings, [&](const schemas::Event& event) { from_xes.push_back(event); });
  EXPECT_EQ(counts.cases, 6u);
  EXPECT_EQ(counts.activities, 42u);
  EXPECT_EQ(counts.handoffs, 32u);
  EXPECT_EQ(handoff_pairs(from_csv), handoff_pairs(from_xes));
  std::set<std::string> csv_ids;
  std::set<std::string> xes_ids;
  for (const auto& event : from_csv) csv_ids.insert(event.event_id);
  for (const auto& event : from_xes) xes_ids.insert(event.event_id);
  EXPECT_EQ(csv_ids, xes_ids) << "same cases, same source: the same handoffs get the same ids";
}

TEST(ReadCsvLog, FollowsAMappingFileWithQuotesAndAnotherDelimiter) {
  ProcessLogSettings settings;
  settings.source = "quoted";
  load_csv_mapping(kLogs + "quoted.mapping", settings);
  EXPECT_EQ(settings.delimiter, ';');
  std::vector<schemas::Event> handoffs;
  const auto counts = read_csv_log(kLogs + "quoted.csv", settings, [&](const schemas::Event& event) { handoffs.push_back(event); });
  EXPECT_EQ(counts.cases, 2u);
  EXPECT_EQ(counts.activities, 6u);
  EXPECT_EQ(counts.without_department, 1u);
  ASSERT_EQ(handoffs.size(), 2u + 2u) << "two handoffs and the opening of each case";
  EXPECT_EQ(counts.handoffs, 2u);
  // T-1 by time: Service Desk 09:00, Service Desk 09:30, Network "L2" 10:00 (09:00+01:00 for T-2), Service Desk 11:00.
  EXPECT_EQ(handoff_pairs(handoffs), (std::map<std::pair<std::string, std::string>, int>{
                                         {{"Service Desk", "Network \"L2\""}, 1}, {{"Network \"L2\"", "Service Desk"}, 1}}));
  EXPECT_EQ(format_rfc3339(handoffs[1].occurred_at), "2026-03-02T10:00:00Z") << "no offset: taken as UTC";
}

TEST(ReadCsvLog, NamesAMissingColumn) {
  try {
    read_csv_log(kLogs + "quoted.csv", {}, [](const schemas::Event&) {});
    FAIL() << "a missing case column must be reported";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no case column 'case:concept:name'"), std::string::npos) << error.what();
  }
}

/// `text` gzip-compressed into `path`, cut to `keep` of its bytes (all of them by default).
void write_gzip(const std::string& path, const std::string& text, double keep = 1.0) {
  const std::string whole = path + ".whole";
  {
    gzFile file = gzopen(whole.c_str(), "wb");
    gzwrite(file, text.data(), static_cast<unsigned>(text.size()));
    gzclose(file);
  }
  std::ifstream in(whole, std::ios::binary);
  const std::string compressed{std::istreambuf_iterator<char>(in), {}};
  std::ofstream(path, std::ios::binary) << compressed.substr(0, static_cast<std::size_t>(compressed.size() * keep));
  std::remove(whole.c_str());
}

std::string csv_log(int cases) {
  std::string text = "case:concept:name,time:timestamp,org:group\n";
  for (int c = 0; c < cases; ++c) {
    for (int step = 0; step < 3; ++step) {
      text += "C" + std::to_string(c) + ",2026-03-02T09:0" + std::to_string(step) + ":00Z,G" + std::to_string((c + step) % 7) + "\n";
    }
  }
  return text;
}

/// What reading the log at `path` throws, or "no error".
template <typename Read>
std::string failure_of(const Read& read) {
  try {
    read();
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "no error";
}

// A .csv.gz cut off in transit was read up to the damage and the run exited 0 (8,058 of 20,000 handoffs lost).
TEST(ReadCsvLog, ACompressedLogCutOffBeforeItsEndIsAnErrorNotAShorterLog) {
  const std::string path = ::testing::TempDir() + "relmap-cut.csv.gz";
  write_gzip(path, csv_log(20000));
  std::uint64_t whole = 0;
  read_csv_log(path, {}, [&](const schemas::Event&) { ++whole; });
  EXPECT_GT(whole, 20000u);
  write_gzip(path, csv_log(20000), 0.6);
  EXPECT_NE(failure_of([&] { read_csv_log(path, {}, [](const schemas::Event&) {}); }).find("cut off before its end"),
            std::string::npos);
}

TEST(ReadXes, ACompressedLogCutOffBeforeItsEndIsAnErrorNotAShorterLog) {
  std::ifstream in(kLogs + "running-example.xes", std::ios::binary);
  const std::string xes{std::istreambuf_iterator<char>(in), {}};
  const std::string path = ::testing::TempDir() + "relmap-cut.xes.gz";
  for (const double keep : {0.5, 0.97}) {
    write_gzip(path, xes, keep);
    const std::string failure = failure_of([&] { read_xes(path, {"org:resource", "cut"}, [](const schemas::Event&) {}); });
    EXPECT_NE(failure.find("cut off before its end"), std::string::npos) << keep << ": " << failure;
  }
}

TEST(ReadCsvLog, AByteOrderMarkBeforeTheHeaderIsNotPartOfIt) {
  const std::string path = ::testing::TempDir() + "relmap-bom.csv";
  std::ofstream(path, std::ios::binary) << "\xEF\xBB\xBF" << csv_log(2);
  std::uint64_t events = 0;
  const auto counts = read_csv_log(path, {}, [&](const schemas::Event&) { ++events; });
  EXPECT_EQ(counts.cases, 2u);
  EXPECT_EQ(counts.handoffs, 4u);
  EXPECT_EQ(events, 4u + 2u) << "the handoffs and the opening of each case";
}

// Rows without a case were counted nowhere, and rows whose time could not be read were dropped.
TEST(ReadCsvLog, ARowWithoutACaseOrWithAnUnreadableTimeIsAnErrorWithItsRow) {
  const std::string path = ::testing::TempDir() + "relmap-bad-rows.csv";
  std::ofstream(path) << "case:concept:name,time:timestamp,org:group\nC1,2026-03-02T09:00:00Z,A\n,2026-03-02T09:01:00Z,B\n";
  EXPECT_EQ(failure_of([&] { read_csv_log(path, {}, [](const schemas::Event&) {}); }),
            path + ": row 3: the case column 'case:concept:name' is empty");
  std::ofstream(path) << "case:concept:name,time:timestamp,org:group\nC1,2026-03-02T09:00:00Z,A\nC1,02/03/2026 9:01,B\n";
  EXPECT_EQ(failure_of([&] { read_csv_log(path, {}, [](const schemas::Event&) {}); }),
            path + ": row 3: time:timestamp \"02/03/2026 9:01\" is not a date-time");
}

TEST(ReadXes, AnEventWithAnUnreadableTimeIsAnErrorWithItsLine) {
  const std::string path = ::testing::TempDir() + "relmap-bad-time.xes";
  std::ofstream(path) << "<log>\n<trace>\n<event><date key=\"time:timestamp\" value=\"2026-03-02T09:00:00Z\"/></event>\n"
                         "<event><date key=\"time:timestamp\" value=\"yesterday\"/></event>\n</trace>\n</log>\n";
  EXPECT_EQ(failure_of([&] { read_xes(path, {}, [](const schemas::Event&) {}); }),
            path + ":4: time:timestamp \"yesterday\" is not a date-time");
}

TEST(LogTimestamp, AcceptsSpaceSeparatorsAndMissingOffsets) {
  EXPECT_EQ(format_rfc3339(*parse_log_timestamp("2010-12-30 14:32:00.000+01:00")), "2010-12-30T13:32:00Z");
  EXPECT_EQ(format_rfc3339(*parse_log_timestamp("2010-12-30 14:32:00")), "2010-12-30T14:32:00Z");
  EXPECT_EQ(format_rfc3339(*parse_log_timestamp("2010-12-30T14:32:00.000+0100")), "2010-12-30T13:32:00Z") << "as Jira writes it";
  EXPECT_EQ(format_rfc3339(*parse_log_timestamp("2010-12-30T14:32:00-0530")), "2010-12-30T20:02:00Z");
  EXPECT_FALSE(parse_log_timestamp("30/12/2010 14:32"));
}

}  // namespace
}  // namespace relmap::producer
