// What a webhook is sent and how its answers are read (docs/alerts.md); delivery itself is tested
// against the real broker (Aggregate.WebhooksGetEveryAlertOncePerKey...).
#include "relmap/consumer/alert_webhooks.hpp"

#include <fstream>

#include <gtest/gtest.h>

namespace relmap::consumer {
namespace {

const std::string kDeadEnd =
    R"({"kind":"dead_end_rate","from":"Sales <Team>","to":"Legal & Co","requests":20,"dead_ends":9,"dead_end_rate":0.45,"threshold":0.4,"watermark":null})";

TEST(WebhookVerdict, RetriesWhatMayPassAndRefusesTheRest) {
  for (const int status : {200, 201, 202, 204}) EXPECT_EQ(verdict_of(status), DeliveryVerdict::delivered) << status;
  for (const int status : {408, 425, 429, 500, 502, 503, 504}) EXPECT_EQ(verdict_of(status), DeliveryVerdict::retry) << status;
  for (const int status : {301, 302, 400, 401, 403, 404, 410, 413, 422}) EXPECT_EQ(verdict_of(status), DeliveryVerdict::refused) << status;
}

TEST(WebhookBody, SlacksTextCannotBeGivenMarkupByADepartmentsName) {
  const std::string body = webhook_body(WebhookFormat::slack, kDeadEnd, "k", "https://relmap.example/");
  EXPECT_EQ(body, R"({"text":"Dead ends from Sales &lt;Team&gt; to Legal &amp; Co: 45% of 20 requests (threshold 40%))"
                  R"( <https://relmap.example/#/cases?department=Legal%20%26%20Co&amp;state=dead_end|Open in relmap>"})")
      << "Slack reads &amp; in a link as &";
}

TEST(WebhookBody, TheJsonFormCarriesTheAlertAsItIsAndNoLinkWithoutAPublicUrl) {
  const std::string body = webhook_body(WebhookFormat::json, kDeadEnd, "0123", "");
  EXPECT_EQ(body, R"({"v":1,"idempotency_key":"0123","kind":"dead_end_rate",)"
                  R"x("summary":"Dead ends from Sales <Team> to Legal & Co: 45% of 20 requests (threshold 40%)","link":null,"alert":)x" +
                      kDeadEnd + "}");
  EXPECT_THROW(webhook_body(WebhookFormat::json, R"({"kind":"andon",)", "k", ""), std::invalid_argument);
  EXPECT_THROW(webhook_body(WebhookFormat::json, R"([1,2])", "k", ""), std::invalid_argument);
}

TEST(WebhookBody, AnAndonLinksToItsCase) {
  const std::string andon =
      R"({"kind":"andon","event_id":"e1","type":"andon","v":1,"occurred_at":"2026-01-18T12:18:40Z","case_id":"CASE/7 ü",)"
      R"("source":"s","from":"Production","about":"Procurement","severity":"high","reason":"parts missing"})";
  const std::string body = webhook_body(WebhookFormat::json, andon, "k", "https://relmap.example");
  EXPECT_NE(body.find(R"("summary":"Andon pulled by Production about Procurement (high): parts missing, case CASE/7 ü")"),
            std::string::npos) << body;
  EXPECT_NE(body.find(R"("link":"https://relmap.example/#/cases/CASE%2F7%20%C3%BC")"), std::string::npos) << body;
}

TEST(IdempotencyKey, TheSameRecordAlwaysAndOnlyIt) {
  EXPECT_EQ(alert_idempotency_key("dead_end:a", kDeadEnd), alert_idempotency_key("dead_end:a", kDeadEnd));
  EXPECT_NE(alert_idempotency_key("dead_end:a", kDeadEnd), alert_idempotency_key("dead_end:b", kDeadEnd));
  EXPECT_NE(alert_idempotency_key("ab", "c"), alert_idempotency_key("a", "bc")) << "key and value are kept apart";
  EXPECT_EQ(alert_idempotency_key("k", "v").size(), 32u);
}

std::string failure_reading(const std::string& contents) {
  const std::string path = ::testing::TempDir() + "webhooks";
  std::ofstream(path) << contents;
  try {
    read_webhook_file(path);
  } catch (const std::runtime_error& error) {
    return std::string(error.what()).substr(path.size());
  }
  return "";
}

TEST(WebhookFile, ABadLineIsNamedWithoutItsSecretUrl) {
  EXPECT_EQ(failure_reading("ops json https://hooks.example/T0K3N\nchat teams https://hooks.example/S3CR3T\n"),
            ":2: the format is json or slack, not \"teams\"");
  EXPECT_EQ(failure_reading("ops json ftp://hooks.example/T0K3N\n"), ":1: the URL of ops is not http:// or https://");
  EXPECT_EQ(failure_reading("ops json https://a/T0K3N\nops slack https://b/T0K3N\n"), ":2: the name ops is given twice");
  EXPECT_EQ(failure_reading("ops json\n"), ":1: expected NAME json|slack URL");
  EXPECT_EQ(failure_reading("# comment\n\nops slack https://hooks.example/x\n"), "");
}

}  // namespace
}  // namespace relmap::consumer
