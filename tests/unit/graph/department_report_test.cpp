// The department report on tests/data/events/chains.jsonl, every expected value worked out by hand.
// Period 2026-04-02..04-03 against 2026-03-31..04-01. In the period X asks Y three times (C4
// resolved, C5 declined, C6 open; topics refund, refund, invoice); before it, X hands C1-C3 to Y and
// Y hands them on to Z.
#include "relmap/graph/department_report.hpp"
#include "relmap/render/report_pages.hpp"

#include <gtest/gtest.h>

#include "../../support/event_files.hpp"

namespace relmap::graph {
namespace {

// The report and the pages people read it in are tested together.
using render::to_csv;
using render::to_html;
using render::to_html_index;
using render::to_markdown;

const Window kPeriod{std::string("2026-04-02"), std::string("2026-04-03")};

DepartmentReport report_of(const std::string& department) {
  return make_department_report(testing::map_of_file("chains.jsonl", kPeriod),
                                testing::map_of_file("chains.jsonl", previous_window(kPeriod)), department);
}

const ReportSection& section(const DepartmentReport& report, const std::string& id) {
  for (const auto& candidate : report.sections) {
    if (candidate.id == id) return candidate;
  }
  throw std::runtime_error("no section " + id);
}

const Figure& figure(const ReportSection& section, const std::string& row, std::size_t column = 0) {
  for (const auto& candidate : section.rows) {
    if (candidate.label == row) return candidate.figures.at(column);
  }
  throw std::runtime_error("no row " + row + " in " + section.id);
}

TEST(PreviousWindow, HasTheSameLengthAndEndsTheDayBefore) {
  EXPECT_EQ(previous_window(kPeriod).from, "2026-03-31");
  EXPECT_EQ(previous_window(kPeriod).to, "2026-04-01");
  const Window march{std::string("2026-03-01"), std::string("2026-03-31")};
  EXPECT_EQ(previous_window(march).from, "2026-01-29");
  EXPECT_EQ(previous_window(march).to, "2026-02-28");
  const Window day{std::string("2026-01-01"), std::string("2026-01-01")};
  EXPECT_EQ(previous_window(day).from, "2025-12-31");
  EXPECT_THROW(previous_window({}), std::invalid_argument);
}

TEST(DepartmentReport, SummaryWithChangesAgainstThePreviousPeriod) {
  const auto report = report_of("Y");
  const auto& summary = section(report, "summary");
  const auto& received = figure(summary, "Requests received");
  EXPECT_EQ(received.current, 3.0);
  EXPECT_EQ(received.previous, 0.0);
  EXPECT_EQ(received.change(), 3.0);
  EXPECT_EQ(figure(summary, "Gives (requests received and resolved)").current, 1.0);
  const auto& not_my_role = figure(summary, "\"Not my role\" rate");
  EXPECT_EQ(not_my_role.current, 1.0 / 3);
  EXPECT_FALSE(not_my_role.previous.has_value()) << "no request received before";
  EXPECT_FALSE(not_my_role.change().has_value());
  EXPECT_EQ(figure(summary, "Handoffs in").current, 0.0);
  EXPECT_EQ(figure(summary, "Handoffs in").previous, 3.0);
  EXPECT_EQ(figure(summary, "Handoffs out").change(), -3.0);
  EXPECT_EQ(figure(summary, "Response time when answering, median").current, 3600.0) << "C4 in 1 h, C5 in 2 h";
  EXPECT_EQ(figure(summary, "Response time when answering, 90th percentile").current, 7200.0);
  EXPECT_EQ(figure(summary, "Cases that ended in a dead end with it").current, 1.0) << "C5";
  EXPECT_EQ(figure(summary, "Cases that ended in a dead end with it").previous, 0.0) << "C1 and C3 ended at W";
}

TEST(DepartmentReport, GivesGetsAndDeadEndsByPartner) {
  const auto report = report_of("Y");
  const auto& give_get = section(report, "give_get");
  ASSERT_EQ(give_get.rows.size(), 1u) << "X only: Z shares handoffs, not requests";
  EXPECT_EQ(figure(give_get, "X", 0).current, 1.0);  // gives to X
  EXPECT_EQ(figure(give_get, "X", 1).current, 0.0);  // gets from X
  EXPECT_EQ(figure(give_get, "X", 2).current, 1.0);  // imbalance
  const auto& caused = section(report, "dead_ends_caused");
  EXPECT_EQ(figure(caused, "X", 0).current, 1.0);
  EXPECT_EQ(figure(caused, "X", 1).current, 1.0);
  EXPECT_EQ(figure(caused, "X", 2).current, 0.0);
  EXPECT_EQ(figure(caused, "X", 3).current, 3.0);
  EXPECT_TRUE(section(report, "dead_ends_suffered").rows.empty());
  const auto& ping_pong = section(report, "ping_pong");
  EXPECT_EQ(figure(ping_pong, "Z", 2).previous, 3.0) << "handoffs Y -> Z before";
  EXPECT_EQ(figure(ping_pong, "X", 3).previous, 3.0) << "handoffs X -> Y before";
}

TEST(DepartmentReport, RecurringTopics) {
  const auto report = report_of("Y");
  const auto& topics = section(report, "topics");
  ASSERT_EQ(topics.rows.size(), 2u);
  EXPECT_EQ(topics.rows[0].label, "refund (X -> Y)");
  EXPECT_EQ(topics.rows[0].figures[0].current, 2.0);
  EXPECT_EQ(topics.rows[0].figures[1].current, 1.0);
  EXPECT_EQ(topics.rows[1].label, "invoice (X -> Y)");
}

TEST(DepartmentReport, SaysWhenTheDataHoldsNoRequestsAtAll) {
  EXPECT_TRUE(report_of("Y").notes.empty()) << "the period holds requests";
  const Window day{std::string("2026-04-01"), std::string("2026-04-01")};
  const auto report = make_department_report(testing::map_of_file("handoffs-only.jsonl", day),
                                             testing::map_of_file("handoffs-only.jsonl", previous_window(day)), "Y");
  EXPECT_EQ(figure(section(report, "summary"), "Handoffs in").current, 1.0);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("handoffs only"), std::string::npos) << report.notes[0];
  EXPECT_NE(to_markdown(report).find("\n> No department made a request in either period"), std::string::npos);
  EXPECT_NE(to_html(report).find("<p class=\"note\">No department made a request"), std::string::npos);
  EXPECT_NE(to_json(report).find(R"("notes":["No department made a request)"), std::string::npos) << to_json(report);
  EXPECT_NE(to_json(report_of("Y")).find(R"("notes":[])"), std::string::npos);
}

TEST(DepartmentReport, UnknownDepartmentIsAClearError) {
  try {
    report_of("Nobody");
    FAIL() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("no department \"Nobody\""), std::string::npos) << error.what();
  }
}

TEST(DepartmentReport, Formats) {
  const auto report = report_of("Y");
  const auto markdown = to_markdown(report);
  EXPECT_NE(markdown.find("| Requests received | 3 (+3) |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| \"Not my role\" rate | 33.3% (new) |"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| Response time when answering, median | 1.0 h (new) |"), std::string::npos) << markdown;
  const auto csv = to_csv(report);
  EXPECT_NE(csv.find("\"Y\",summary,\"Requests received\",\"Value\",3,0,3\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"Y\",summary,\"\"\"Not my role\"\" rate\",\"Value\",0.333333333333,,\r\n"), std::string::npos) << csv;
  const auto html = to_html(report);
  EXPECT_NE(html.find("<td>&quot;Not my role&quot; rate</td>"), std::string::npos);
  const auto json = to_json(report);
  EXPECT_NE(json.find(R"({"column":"Value","value":3.0,"previous":0.0,"change":3.0})"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("previous_window":{"from":"2026-03-31","to":"2026-04-01"})"), std::string::npos) << json;
}

TEST(ReportIndex, ListsEachDepartmentWithItsUnitAndHeadlineFiguresLinkedToItsReport) {
  const auto map = testing::map_of_file("chains.jsonl", kPeriod);
  std::vector<std::string> files;
  for (const auto& department : map.departments) files.push_back(department.id + " report.html");
  const auto html = to_html_index(map, files);
  EXPECT_NE(html.find("<title>Handoff reports</title>\n<style>"), std::string::npos) << "styled as the reports are";
  EXPECT_NE(html.find("<p class=\"meta\">Period 2026-04-02 to 2026-04-03."), std::string::npos) << html;
  // Y's figures are those of its report's summary: 3 requests received, one declined as not its role.
  const auto y_summary = section(report_of("Y"), "summary");
  ASSERT_EQ(figure(y_summary, "Dead-end rate").current, 1.0 / 3);
  EXPECT_NE(html.find("<tr><td><a href=\"Y report.html\">Y</a></td><td></td><td class=\"n\">3</td><td class=\"n\">0</td>"
                      "<td class=\"n\">0</td><td class=\"n\">33.3%</td><td class=\"n\">33.3%</td></tr>"),
            std::string::npos)
      << html;
  // X only asked: no rate of requests received, shown as "-" rather than 0%.
  EXPECT_NE(html.find("<a href=\"X report.html\">X</a></td><td></td><td class=\"n\">0</td><td class=\"n\">0</td>"
                      "<td class=\"n\">0</td><td class=\"n\">-</td><td class=\"n\">-</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_THROW(to_html_index(map, {}), std::invalid_argument);
}

}  // namespace
}  // namespace relmap::graph
