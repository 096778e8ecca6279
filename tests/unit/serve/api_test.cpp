// The /api/v1 routes answered from a snapshot: content, status codes, roles, conditional GET, gzip.
#include "relmap/serve/api.hpp"

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "../../support/event_files.hpp"
#include "relmap/graph/department_report.hpp"
#include "relmap/graph/period_comparison.hpp"
#include "relmap/http/responses.hpp"
#include "relmap/render/map_exports.hpp"
#include "relmap/render/report_pages.hpp"

namespace relmap::serve {
namespace {

namespace bhttp = boost::beast::http;

std::shared_ptr<const Snapshot> snapshot_of_file(const std::string& name, std::uint64_t version) {
  const auto aggregator = testing::aggregator_of_file(name);
  auto facts = std::make_shared<const aggregation::AggregatesBuilder>(aggregation::snapshot_of({&aggregator}));
  return std::make_shared<const Snapshot>(version, std::move(facts), graph::Directory{});
}

ApiSettings with_tokens() {
  ApiSettings settings;
  settings.access = AccessList::parse("ops-token operations\n# a comment\n\nlegal-token department:Z\n", "tokens");
  return settings;
}

http::Response get(const Api& api, const std::string& target, const std::string& token = "ops-token",
                   const std::string& if_none_match = "", bool gzip = false) {
  http::Request request{bhttp::verb::get, target, 11};
  if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + token);
  if (!if_none_match.empty()) request.set(bhttp::field::if_none_match, if_none_match);
  if (gzip) request.set(bhttp::field::accept_encoding, "gzip");
  return api.handle(request);
}

rapidjson::Document json_of(const http::Response& response) {
  rapidjson::Document document;
  document.Parse(response.body().c_str());
  EXPECT_FALSE(document.HasParseError()) << response.body();
  return document;
}

std::string error_code(const http::Response& response) {
  const auto document = json_of(response);
  if (!document.IsObject() || !document.HasMember("error")) return "(no error)";
  return document["error"]["code"].GetString();
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { api.publish(snapshot_of_file("chains.jsonl", 7)); }
  Api api{with_tokens()};
};

TEST(ApiBeforeData, IsAliveButNotReadyAndAnswers503WithACode) {
  Api api(with_tokens());
  EXPECT_EQ(get(api, "/healthz", "").result(), bhttp::status::ok);
  const auto ready = get(api, "/readyz", "");
  EXPECT_EQ(ready.result(), bhttp::status::service_unavailable);
  EXPECT_EQ(error_code(ready), "not_ready");
  EXPECT_EQ(get(api, "/api/v1/graph").result(), bhttp::status::service_unavailable);
}

TEST_F(ApiTest, ServesTheContractsGraphJsonOfTheSnapshot) {
  const auto response = get(api, "/api/v1/graph");
  ASSERT_EQ(response.result(), bhttp::status::ok);
  EXPECT_EQ(response[bhttp::field::content_type], "application/json");
  EXPECT_EQ(response.body(), graph::to_json(api.snapshot()->map()));
  const auto windowed = get(api, "/api/v1/graph?from=2026-04-01&to=2026-04-01");
  EXPECT_EQ(windowed.body(), graph::to_json(*api.snapshot()->map_of({"2026-04-01", "2026-04-01"})));
  EXPECT_NE(windowed.body(), response.body());
}

TEST_F(ApiTest, AnswersAnUnchangedSnapshotWith304AndANewOneWithANewTag) {
  const auto first = get(api, "/api/v1/graph");
  const std::string etag(http::view_of(first[bhttp::field::etag]));
  ASSERT_FALSE(etag.empty());
  const auto again = get(api, "/api/v1/graph", "ops-token", etag);
  EXPECT_EQ(again.result(), bhttp::status::not_modified);
  EXPECT_TRUE(again.body().empty());
  EXPECT_NE(http::view_of(get(api, "/api/v1/graph?format=csv")[bhttp::field::etag]), etag);
  EXPECT_EQ(get(api, "/api/v1/graph", "ops-token", "\"other\", W/" + etag).result(), bhttp::status::not_modified);
  EXPECT_EQ(get(api, "/api/v1/graph", "ops-token", "*").result(), bhttp::status::not_modified);
  EXPECT_EQ(get(api, "/api/v1/graph", "ops-token", "\"other\"").result(), bhttp::status::ok);
  api.publish(snapshot_of_file("chains.jsonl", 8));
  EXPECT_EQ(get(api, "/api/v1/graph", "ops-token", etag).result(), bhttp::status::ok);
}

TEST_F(ApiTest, ANewSnapshotIsAnsweredFromAtOnceNotFromWhatWasDrawnBefore) {
  const auto before = get(api, "/api/v1/departments/Z/report?format=md").body();
  EXPECT_EQ(get(api, "/api/v1/departments/Z/report?format=md").body(), before);
  api.publish(snapshot_of_file("lifecycle.jsonl", 8));
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/Z/report?format=md")), "unknown_department");
  const auto listed = json_of(get(api, "/api/v1/departments"));
  EXPECT_EQ(listed["total"].GetUint64(), api.snapshot()->map().departments.size());
}

TEST_F(ApiTest, CompressesForAClientThatTakesGzip) {
  const auto plain = get(api, "/api/v1/graph");
  const auto compressed = get(api, "/api/v1/graph", "ops-token", "", true);
  EXPECT_EQ(compressed[bhttp::field::content_encoding], "gzip");
  EXPECT_EQ(compressed.body(), api.snapshot()->graph_json_gzip());
  EXPECT_LT(compressed.body().size(), plain.body().size());
  EXPECT_TRUE(plain[bhttp::field::content_encoding].empty());
}

TEST_F(ApiTest, ServesEachExportFormat) {
  EXPECT_EQ(get(api, "/api/v1/graph?format=graphml")[bhttp::field::content_type], "application/graphml+xml");
  EXPECT_EQ(get(api, "/api/v1/graph?format=csv").body(), render::to_csv(api.snapshot()->map()));
  EXPECT_EQ(get(api, "/api/v1/graph?format=dot").body(), render::to_dot(api.snapshot()->map()));
  const auto compared = json_of(get(api, "/api/v1/graph?from=2026-04-02&to=2026-04-02&compare=true"));
  EXPECT_TRUE(compared.HasMember("previous_window"));
  // Without a window, a comparison is over a report's period: four weeks up to the latest event.
  const auto& snapshot = *api.snapshot();
  const auto window = graph::report_window(snapshot.watermark(), std::nullopt, std::nullopt, 28);
  EXPECT_EQ(get(api, "/api/v1/graph?compare=true").body(),
            graph::to_json_compared(*snapshot.map_of(window), *snapshot.map_of(graph::previous_window(window))));
}

TEST_F(ApiTest, RefusesWhatItCannotAnswerWithAStableCode) {
  const auto expect = [&](const std::string& target, bhttp::status status, const std::string& code) {
    const auto response = get(api, target);
    EXPECT_EQ(response.result(), status) << target;
    EXPECT_EQ(error_code(response), code) << target;
    EXPECT_EQ(response[bhttp::field::content_type], "application/json") << target;
  };
  expect("/api/v1/graph?format=svg", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/graph?from=2026-02-30", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/graph?from=2026-04-02&to=2026-04-01", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/graph?compare=true&format=csv", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/graph?colour=red", bhttp::status::bad_request, "unknown_parameter");
  expect("/api/v1/graph?format=json&format=csv", bhttp::status::bad_request, "bad_target");
  expect("/api/v1/departments/%zz/report", bhttp::status::bad_request, "bad_target");
  // Text that is not UTF-8 once decoded was answered 500: it could not be quoted in the error.
  expect("/api/v1/departments/%FF%FE/report", bhttp::status::bad_request, "bad_target");
  expect("/api/v1/cases/%C0", bhttp::status::bad_request, "bad_target");
  expect("/api/v1/graph?%FF=1", bhttp::status::bad_request, "bad_target");
  expect("/api/v1/graph?format=%FF", bhttp::status::bad_request, "bad_target");
  // Windows computed from valid days reached outside the years 0000 to 9999: a 500, or such days written.
  expect("/api/v1/departments/Z/report?days=3660&to=0001-01-01", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/graph?from=0000-01-01&to=0000-12-31&compare=true", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/departments/Z/timeseries?bucket=week&from=9999-12-01&to=9999-12-31", bhttp::status::bad_request,
         "invalid_parameter");
  expect("/api/v1/departments?sort=colour", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/departments?limit=0", bhttp::status::bad_request, "invalid_parameter");
  expect("/api/v1/departments/Nobody/report", bhttp::status::not_found, "unknown_department");
  expect("/api/v1/nothing", bhttp::status::not_found, "not_found");
  expect("/elsewhere", bhttp::status::not_found, "not_found");
  http::Request post{bhttp::verb::post, "/api/v1/graph", 11};
  post.set(bhttp::field::authorization, "Bearer ops-token");
  const auto refused = api.handle(post);
  EXPECT_EQ(refused.result(), bhttp::status::method_not_allowed);
  EXPECT_EQ(refused[bhttp::field::allow], "GET");
  http::Request with_body{bhttp::verb::get, "/api/v1/graph", 11};
  with_body.set(bhttp::field::authorization, "Bearer ops-token");
  with_body.set(bhttp::field::content_type, "text/plain");
  with_body.body() = "hello";
  EXPECT_EQ(error_code(api.handle(with_body)), "unsupported_media_type");
}

TEST_F(ApiTest, WantsAKnownTokenForTheApiButNotForProbes) {
  EXPECT_EQ(get(api, "/api/v1/graph", "").result(), bhttp::status::unauthorized);
  const auto unknown = get(api, "/api/v1/graph", "guess");
  EXPECT_EQ(unknown.result(), bhttp::status::unauthorized);
  EXPECT_EQ(unknown[bhttp::field::www_authenticate], "Bearer");
  EXPECT_EQ(get(api, "/readyz", "").result(), bhttp::status::ok);
  EXPECT_EQ(get(api, "/metrics", "").result(), bhttp::status::ok);
  EXPECT_EQ(get(api, "/api/v1/openapi.json", "").result(), bhttp::status::ok);
}

// Each token its own allowance: two at once, then one a second; the probes and the OpenAPI
// document are not counted, nor is a refused token.
TEST(ApiRateLimit, ATokenOverItsRateIsAnswered429WithRetryAfterAndOthersAreNot) {
  ApiSettings settings = with_tokens();
  settings.requests_per_second_per_token = 1;
  settings.burst_per_token = 2;
  Api api(std::move(settings));
  api.publish(snapshot_of_file("chains.jsonl", 7));
  EXPECT_EQ(get(api, "/api/v1/graph").result(), bhttp::status::ok);
  EXPECT_EQ(get(api, "/api/v1/findings").result(), bhttp::status::ok);
  const auto limited = get(api, "/api/v1/graph");
  EXPECT_EQ(limited.result(), bhttp::status::too_many_requests);
  EXPECT_EQ(error_code(limited), "rate_limited");
  EXPECT_EQ(limited[bhttp::field::retry_after], "1");
  EXPECT_EQ(get(api, "/api/v1/departments/Z/report", "legal-token").result(), bhttp::status::ok) << "another token";
  EXPECT_EQ(get(api, "/healthz", "").result(), bhttp::status::ok);
  EXPECT_EQ(get(api, "/api/v1/openapi.json", "ops-token").result(), bhttp::status::ok);
  EXPECT_EQ(get(api, "/api/v1/graph", "guess").result(), bhttp::status::unauthorized) << "not a rate, a refusal";
}

TEST_F(ApiTest, ADepartmentSeesItsOwnReportAndRelationshipsAndNothingElseInDetail) {
  EXPECT_EQ(get(api, "/api/v1/departments/Z/report", "legal-token").result(), bhttp::status::ok);
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/W/report", "legal-token")), "forbidden");
  EXPECT_EQ(error_code(get(api, "/api/v1/findings", "legal-token")), "forbidden");

  const auto graph = json_of(get(api, "/api/v1/graph", "legal-token"));
  ASSERT_GT(graph["edges"].Size(), 0u);
  for (const auto& edge : graph["edges"].GetArray()) {
    EXPECT_TRUE(std::string(edge["from"].GetString()) == "Z" || std::string(edge["to"].GetString()) == "Z");
  }
  for (const auto& department : graph["departments"].GetArray()) {
    if (std::string(department["id"].GetString()) == "Z") {
      EXPECT_GT(department["requests_made"].GetUint64() + department["handoffs_in"].GetUint64(), 0u);
    } else {
      EXPECT_EQ(department["requests_made"].GetUint64(), 0u);
      EXPECT_EQ(department["handoffs_in"].GetUint64(), 0u);
    }
  }
  EXPECT_EQ(graph["silos"].Size(), 0u);
  const auto listed = json_of(get(api, "/api/v1/departments", "legal-token"));
  ASSERT_EQ(listed["departments"].Size(), 1u);
  EXPECT_STREQ(listed["departments"][0]["id"].GetString(), "Z");
  EXPECT_NE(http::view_of(get(api, "/api/v1/graph", "legal-token")[bhttp::field::etag]),
            http::view_of(get(api, "/api/v1/graph")[bhttp::field::etag]));
}

TEST_F(ApiTest, ServesTheReportThatRelmapReportWrites) {
  const auto& snapshot = *api.snapshot();
  const auto window = graph::report_window(snapshot.watermark(), std::nullopt, std::nullopt, 28);
  const auto expected = graph::make_department_report(*snapshot.map_of(window), *snapshot.map_of(graph::previous_window(window)), "Z");
  EXPECT_EQ(get(api, "/api/v1/departments/Z/report?format=md").body(), render::to_markdown(expected));
  EXPECT_EQ(get(api, "/api/v1/departments/Z/report").body(), graph::to_json(expected) + "\n");
}

TEST_F(ApiTest, ListsDepartmentsSortedByAFigureWithThoseWithoutItLast) {
  const auto listed = json_of(get(api, "/api/v1/departments?sort=not_my_role_rate&order=desc"));
  const auto& departments = listed["departments"];
  ASSERT_EQ(departments.Size(), api.snapshot()->map().departments.size());
  bool seen_null = false;
  double previous = 2;
  for (const auto& department : departments.GetArray()) {
    const auto& rate = department["not_my_role_rate"];
    if (rate.IsNull()) {
      seen_null = true;
      continue;
    }
    EXPECT_FALSE(seen_null) << "a department with a rate after one without";
    EXPECT_LE(rate.GetDouble(), previous);
    previous = rate.GetDouble();
  }
  EXPECT_EQ(json_of(get(api, "/api/v1/departments?limit=2"))["departments"].Size(), 2u);
}

TEST_F(ApiTest, FindingsAreTheHeadlineFindingsWithTheirIds) {
  const auto findings = json_of(get(api, "/api/v1/findings"));
  const auto expected = graph::headline_findings(api.snapshot()->map());
  EXPECT_EQ(findings["version"].GetUint64(), 7u);
  EXPECT_EQ(findings["not_my_role_hotspots"].Size(), expected.not_my_role_hotspots.size());
  EXPECT_EQ(findings["brokers"].Size(), expected.brokers.size());
  EXPECT_EQ(findings["silos"].Size(), expected.silos.size());
  for (const auto& broker : findings["brokers"].GetArray()) EXPECT_TRUE(broker["department"].IsString());
}

TEST_F(ApiTest, CountsRequestsByRouteAndStatusInPrometheusText) {
  get(api, "/api/v1/graph");
  get(api, "/api/v1/graph?format=svg");
  const auto metrics = get(api, "/metrics", "").body();
  EXPECT_NE(metrics.find("relmap_http_requests_total{route=\"graph\",code=\"200\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("relmap_http_requests_total{route=\"graph\",code=\"400\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("relmap_snapshot_version 7"), std::string::npos);
  api.set_records_behind(42);
  EXPECT_NE(get(api, "/metrics", "").body().find("relmap_snapshot_records_behind 42"), std::string::npos);
  EXPECT_NE(metrics.find("relmap_http_request_duration_seconds_count{route=\"graph\"} 2"), std::string::npos);
}

std::vector<std::string> case_ids(const rapidjson::Document& page) {
  std::vector<std::string> ids;
  for (const auto& listed : page["cases"].GetArray()) ids.emplace_back(listed["id"].GetString());
  return ids;
}

TEST_F(ApiTest, ListsTheCasesBehindACount) {
  // W declined the requests of C1 and C2: the cases behind its "not my role" rate.
  EXPECT_EQ(case_ids(json_of(get(api, "/api/v1/cases?department=W&state=declined"))), (std::vector<std::string>{"C1", "C2"}));
  // Y declined C5's; X took part in C1 to C6 but declined nothing.
  EXPECT_EQ(case_ids(json_of(get(api, "/api/v1/cases?department=Y&state=declined"))), (std::vector<std::string>{"C5"}));
  EXPECT_TRUE(case_ids(json_of(get(api, "/api/v1/cases?department=X&state=declined"))).empty());
  const auto dead_ends = json_of(get(api, "/api/v1/cases?state=dead_end"));
  for (const auto& listed : dead_ends["cases"].GetArray()) EXPECT_STREQ(listed["end"].GetString(), "dead_end");
  EXPECT_FALSE(case_ids(dead_ends).empty());
}

TEST_F(ApiTest, PagesThroughTheCasesWithACursor) {
  const auto all = case_ids(json_of(get(api, "/api/v1/cases?limit=1000")));
  ASSERT_GE(all.size(), 4u);
  std::vector<std::string> paged;
  std::string target = "/api/v1/cases?limit=3";
  for (int page = 0; page < 10; ++page) {
    const auto document = json_of(get(api, target));
    const auto ids = case_ids(document);
    EXPECT_LE(ids.size(), 3u);
    paged.insert(paged.end(), ids.begin(), ids.end());
    if (document["next_cursor"].IsNull()) break;
    target = std::string("/api/v1/cases?limit=3&cursor=") + document["next_cursor"].GetString();
  }
  EXPECT_EQ(paged, all);
}

TEST_F(ApiTest, ShowsACasesJourney) {
  const auto journey = json_of(get(api, "/api/v1/cases/C2"));
  EXPECT_STREQ(journey["id"].GetString(), "C2");
  std::vector<std::string> owners;
  for (const auto& owner : journey["owners"].GetArray()) owners.emplace_back(owner.GetString());
  EXPECT_EQ(owners, (std::vector<std::string>{"X", "Y", "Z", "V"}));
  ASSERT_EQ(journey["requests"].Size(), 1u);
  const auto& request = journey["requests"][0];
  EXPECT_STREQ(request["to"].GetString(), "W");
  EXPECT_STREQ(request["outcome"].GetString(), "declined");
  EXPECT_TRUE(request["dead_end"].GetBool());
  EXPECT_DOUBLE_EQ(request["response_time_s"].GetDouble(), 3600);
  EXPECT_EQ(journey["handoffs"].Size(), 3u);
  EXPECT_EQ(error_code(get(api, "/api/v1/cases/C99")), "unknown_case");
}

TEST_F(ApiTest, ADepartmentSeesOnlyTheCasesItTookPartIn) {
  const auto own = case_ids(json_of(get(api, "/api/v1/cases", "legal-token")));
  EXPECT_EQ(own, (std::vector<std::string>{"C1", "C2", "C3"}));
  EXPECT_EQ(error_code(get(api, "/api/v1/cases?department=W", "legal-token")), "forbidden");
  EXPECT_EQ(get(api, "/api/v1/cases/C1", "legal-token").result(), bhttp::status::ok);
  EXPECT_EQ(error_code(get(api, "/api/v1/cases/C4", "legal-token")), "forbidden");
}

TEST_F(ApiTest, ATimeseriesBucketHoldsTheMapsFigureOfThatBucket) {
  const auto series = json_of(get(api, "/api/v1/departments/W/timeseries?metric=not_my_role_rate&from=2026-03-31&to=2026-04-03"));
  ASSERT_EQ(series["points"].Size(), 4u);
  for (const auto& point : series["points"].GetArray()) {
    const std::string day = point["from"].GetString();
    EXPECT_EQ(day, point["to"].GetString());
    const auto map = api.snapshot()->map_of({day, day});
    const auto w = std::find_if(map->departments.begin(), map->departments.end(), [](const auto& d) { return d.id == "W"; });
    if (w == map->departments.end() || !w->not_my_role_rate) {
      EXPECT_TRUE(point["value"].IsNull()) << day;
    } else {
      EXPECT_DOUBLE_EQ(point["value"].GetDouble(), *w->not_my_role_rate) << day;
      EXPECT_EQ(point["count"].GetUint64(), w->requests_received) << day;
    }
  }
  const auto counted = json_of(get(api, "/api/v1/departments/Y/timeseries?metric=requests&from=2026-03-01&to=2026-04-30"));
  std::uint64_t requests = 0;
  for (const auto& point : counted["points"].GetArray()) requests += point["count"].GetUint64();
  const auto& map = api.snapshot()->map();
  EXPECT_EQ(requests, std::find_if(map.departments.begin(), map.departments.end(), [](const auto& d) { return d.id == "Y"; })->requests_received);
}

TEST_F(ApiTest, WeeksRunMondayToSundayAndARelationshipHasItsOwnSeries) {
  const auto weeks = json_of(get(api, "/api/v1/departments/Z/timeseries?metric=requests&bucket=week&from=2026-04-01&to=2026-04-03"));
  ASSERT_EQ(weeks["points"].Size(), 1u);
  EXPECT_STREQ(weeks["points"][0]["from"].GetString(), "2026-03-30");  // a Monday
  EXPECT_STREQ(weeks["points"][0]["to"].GetString(), "2026-04-05");
  const auto edge = json_of(get(api, "/api/v1/departments/Z/timeseries?metric=requests&bucket=week&from=2026-04-01&to=2026-04-03&partner=W"));
  const auto& map = api.snapshot()->map();
  const auto z_to_w = std::find_if(map.edges.begin(), map.edges.end(), [](const auto& e) { return e.from == "Z" && e.to == "W"; });
  ASSERT_NE(z_to_w, map.edges.end());
  EXPECT_EQ(edge["points"][0]["count"].GetUint64(), z_to_w->stats.requests);
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/Z/timeseries?metric=give_ratio&partner=W")), "invalid_parameter");
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/Z/timeseries?from=2020-01-01&to=2026-01-01")), "invalid_parameter");
  // A from after to within one week was taken once whole weeks had widened the window.
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/Z/timeseries?bucket=week&from=2026-04-02&to=2026-04-01")),
            "invalid_parameter");
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/Z/timeseries?bucket=week&from=2026-04-04")), "invalid_parameter")
      << "the latest event is of 2026-04-03";
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/Nobody/timeseries")), "unknown_department");
  EXPECT_EQ(error_code(get(api, "/api/v1/departments/W/timeseries", "legal-token")), "forbidden");
  EXPECT_EQ(get(api, "/api/v1/departments/Z/timeseries", "legal-token").result(), bhttp::status::ok);
}

TEST(Alerts, ReadsTheAlertsTopicsRecordsNewestFirstAndSkipsWhatIsNoAlert) {
  const auto alerts = alerts_from_topic({
      R"({"kind":"andon","event_id":"a1","type":"andon","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"C1","source":"t","from":"Desk","about":"Legal"})",
      R"({"kind":"dead_end_rate","from":"Sales","to":"Legal","requests":40,"dead_ends":30,"dead_end_rate":0.75,"threshold":0.5,"watermark":"2026-03-05T00:00:00Z"})",
      R"({"kind":"andon","occurred_at":"2026-03-03T09:00:00.5Z","from":"Desk","about":"IT"})",
      "not json", R"({"kind":"dead_end_rate","from":"A","to":"B","requests":0,"dead_ends":0,"threshold":0.5,"watermark":"2026-03-05T00:00:00Z"})",
      R"({"kind":"andon","occurred_at":"yesterday","from":"Desk","about":"IT"})", R"([1,2])"});
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].kind, "dead_end_rate");
  EXPECT_EQ(alerts[1].json, R"({"kind":"andon","at":"2026-03-03T09:00:00.5Z","event_id":null,"case_id":null,"from":"Desk","about":"IT"})");
  EXPECT_EQ(alerts[2].json, R"({"kind":"andon","at":"2026-03-02T09:00:00Z","event_id":"a1","case_id":"C1","from":"Desk","about":"Legal"})");
  EXPECT_EQ(alerts[0].departments, (std::vector<std::string>{"Sales", "Legal"}));
}

TEST(Alerts, AnEventFilesAlertsAreItsAndonPullsAndTheRelationshipsOverTheRule) {
  Api api(with_tokens());
  api.publish(snapshot_of_file("lifecycle.jsonl", 1));
  const auto listed = json_of(get(api, "/api/v1/alerts"));
  std::size_t andons = 0;
  for (const auto& alert : listed["alerts"].GetArray()) andons += std::string(alert["kind"].GetString()) == "andon";
  EXPECT_EQ(andons, 1u);
  EXPECT_EQ(json_of(get(api, "/api/v1/alerts?kind=dead_end_rate"))["alerts"].Size(),
            static_cast<rapidjson::SizeType>(std::count_if(api.snapshot()->map().edges.begin(), api.snapshot()->map().edges.end(),
                                                           [](const auto& edge) { return graph::DeadEndAlertRule{}.alerts(edge.stats); })));
  const auto& andon = *std::find_if(api.snapshot()->alerts().begin(), api.snapshot()->alerts().end(),
                                    [](const Alert& alert) { return alert.kind == "andon"; });
  EXPECT_NE(andon.json.find(R"("event_id":"a1","case_id":null,"from":"C","about":"B")"), std::string::npos) << andon.json;
  for (const auto& department : andon.departments) EXPECT_NE(department, "Z");
  EXPECT_EQ(json_of(get(api, "/api/v1/alerts?kind=andon", "legal-token"))["alerts"].Size(), 0u) << "Z is in no alert";
}

TEST(OpenApiDocument, IsOpenApi31AndDescribesEveryRouteTheApiAnswers) {
  rapidjson::Document document;
  document.Parse(openapi_document().c_str());
  ASSERT_FALSE(document.HasParseError());
  EXPECT_STREQ(document["openapi"].GetString(), "3.1.0");
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/api/v1/graph", "/api/v1/findings",
                           "/api/v1/departments", "/api/v1/departments/{id}/report", "/api/v1/cases", "/api/v1/cases/{id}", "/api/v1/departments/{id}/timeseries", "/api/v1/alerts"}) {
    EXPECT_TRUE(document["paths"].HasMember(path)) << path;
  }
}

TEST(AccessList, NamesTheLineOfABadEntryButNeverItsToken) {
  try {
    AccessList::parse("good operations\nsecret-value manager\n", "tokens.txt");
    FAIL() << "a role that is not a role was taken";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("tokens.txt:2"), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find("secret-value"), std::string::npos) << error.what();
  }
  EXPECT_THROW(AccessList::parse("lonely-token\n", "t"), std::invalid_argument);
  EXPECT_THROW(AccessList::parse("t department:\n", "t"), std::invalid_argument);
}

TEST(AccessList, KnowsEachTokensRole) {
  const auto list = AccessList::parse("a operations\r\nb department:Legal Team\n", "t");
  ASSERT_TRUE(list.authenticate("Bearer a").has_value());
  EXPECT_TRUE(list.authenticate("Bearer a")->sees_everything());
  EXPECT_EQ(list.authenticate("Bearer b")->department, "Legal Team");
  EXPECT_FALSE(list.authenticate("Bearer c").has_value());
  EXPECT_FALSE(list.authenticate("Basic a").has_value());
  EXPECT_FALSE(list.authenticate("Bearer ").has_value());
}

}  // namespace
}  // namespace relmap::serve
