// relmap ingest against a real broker of its own, which the test stops and restarts: a 2xx must
// only ever be given for events that are in the topic.
#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap {
namespace {

using namespace std::chrono_literals;
using relmap::testing::PrivateBroker;
using relmap::testing::consume;
using relmap::testing::run_command;
using relmap::testing::test_config;
using relmap::testing::unique_name;

const std::string kRelmap = RELMAP_BINARY;

std::string handoff(const std::string& id, const std::string& from = "A", const std::string& to = "B") {
  return R"({"event_id":")" + id + R"(","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c-)" + id +
         R"(","source":"http-test","from":")" + from + R"(","to":")" + to + R"("})";
}

std::string cloud_event(const std::string& id) {
  return R"({"specversion":"1.0","id":")" + id + R"(","source":"crm","type":"org.relmap.handoff.v1","time":"2026-03-02T09:00:00Z","subject":"c-)" +
         id + R"(","data":{"from":"A","to":"C"}})";
}

/// The event ids a 2xx answer accepted.
std::vector<std::string> accepted_ids(const std::string& body) {
  rapidjson::Document document;
  document.Parse(body.c_str());
  std::vector<std::string> ids;
  if (!document.IsObject() || !document.HasMember("results")) return ids;
  for (const auto& result : document["results"].GetArray()) {
    if (std::string(result["status"].GetString()) == "accepted") ids.emplace_back(result["event_id"].GetString());
  }
  return ids;
}

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topic_ = unique_name("ingest");
    run_command(kRelmap + " topics create --brokers " + broker_.bootstraps() + " --partitions 2 --topic " + topic_ +
                " --dlq-topic " + topic_ + ".dlq >/dev/null");
    const std::string& tokens = tokens_file_.str();
    std::ofstream(tokens) << "# ingest tokens\nsecret-1\nsecret-2\n";
    stdout_path_ = stdout_file_.str();
    pid_ = relmap::testing::spawn({kRelmap, "ingest", "--listen", "127.0.0.1:0", "--brokers", broker_.bootstraps(),
                                   "--topic", topic_, "--dlq-topic", topic_ + ".dlq", "--token-file", tokens,
                                   "--max-body-bytes", "8192", "--delivery-timeout-ms", "3000"},
                                  stdout_path_);
    const std::string line = relmap::testing::wait_for_line(stdout_path_, "/v1/events", 20s);
    const auto port_start = line.rfind(':') + 1;
    port_ = std::stoi(line.substr(port_start, line.find('/', port_start) - port_start));
  }
  void TearDown() override { EXPECT_EQ(relmap::testing::stop_process(pid_, SIGTERM), 0); }

  httplib::Result post(const std::string& body, const std::string& type = "application/json",
                       const std::string& token = "secret-2") {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return client.Post("/v1/events", headers, body, type.c_str());
  }

  PrivateBroker broker_;
  std::string topic_;
  relmap::testing::TempPath tokens_file_{unique_name("tokens")};
  relmap::testing::TempPath stdout_file_{unique_name("ingest-out")};
  std::string stdout_path_;
  int pid_ = 0;
  int port_ = 0;
};

TEST_F(IngestTest, AnswersEachKindOfRequestAndNeverAcknowledgesWhatIsNotStored) {
  std::set<std::string> acknowledged;
  const auto remember = [&](const httplib::Result& result) {
    if (result && result->status / 100 == 2) {
      for (const auto& id : accepted_ids(result->body)) acknowledged.insert(id);
    }
  };

  EXPECT_EQ(post(handoff("e0"), "application/json", "")->status, 401) << "no token";
  EXPECT_EQ(post(handoff("e0"), "application/json", "wrong")->status, 401) << "wrong token";

  auto single = post(handoff("e1"));
  EXPECT_EQ(single->status, 200) << single->body;
  remember(single);

  auto batch = post("[" + handoff("e2") + "," + handoff("bad", "A", "A") + "," + handoff("e3") + "]");
  EXPECT_EQ(batch->status, 400) << batch->body;
  EXPECT_EQ(accepted_ids(batch->body), (std::vector<std::string>{"e2", "e3"})) << "valid events of the batch are accepted";
  EXPECT_NE(batch->body.find(R"("index":1,"status":"rejected","code":"same_department","reason":"/to: same department as from")"),
            std::string::npos)
      << batch->body;
  for (const auto& id : accepted_ids(batch->body)) acknowledged.insert(id);  // a 400 still stored these

  auto ndjson = post(handoff("e4") + "\n" + handoff("e5") + "\n", "application/x-ndjson");
  EXPECT_EQ(ndjson->status, 200) << ndjson->body;
  remember(ndjson);
  auto cloud = post(cloud_event("e6"), "application/cloudevents+json");
  EXPECT_EQ(cloud->status, 200) << cloud->body;
  remember(cloud);
  auto cloud_batch = post("[" + cloud_event("e7") + "," + cloud_event("e8") + "]", "application/cloudevents-batch+json");
  EXPECT_EQ(cloud_batch->status, 200) << cloud_batch->body;
  remember(cloud_batch);

  EXPECT_EQ(post("[" + std::string(9000, ' ') + "]")->status, 413) << "over --max-body-bytes";

  // The broker goes away: nothing can be stored, so the answer is 503, not 2xx.
  broker_.stop();
  auto while_down = post(handoff("down-1"));
  ASSERT_TRUE(while_down);
  EXPECT_EQ(while_down->status, 503) << while_down->body;
  EXPECT_TRUE(accepted_ids(while_down->body).empty());
  remember(while_down);

  broker_.start();
  // Once the broker is back, ingest recovers by itself (retrying while the client reconnects).
  int status = 0;
  for (int attempt = 0; attempt < 30 && status != 200; ++attempt) {
    auto after = post(handoff("up-" + std::to_string(attempt)));
    status = after ? after->status : 0;
    remember(after);
  }
  EXPECT_EQ(status, 200);

  std::set<std::string> stored;
  kafka::Config config = test_config(broker_.bootstraps());
  config.set("group.id", unique_name("reader")).set("auto.offset.reset", "earliest");
  kafka::Consumer reader(config);
  reader.subscribe({topic_});
  rapidjson::Document document;
  for (const auto& record : consume(reader, acknowledged.size() + 5, 20s)) {
    document.Parse(record.value.c_str());
    stored.insert(document["event_id"].GetString());
  }
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << id << " was acknowledged but is not in the topic";
  EXPECT_GE(acknowledged.size(), 9u);
}

// Integrations post at once, each over a connection it keeps: many more than the HTTP library's
// default threads (8) and Debian's build of its listen backlog (5), with which 12 to 46 of these
// clients got no answer ("Read") in three of four runs.
TEST_F(IngestTest, ManyClientsAtOnceAreEachAnsweredAndWhatIsAcceptedIsStored) {
  constexpr int kClients = 128;
  constexpr int kRequestsEach = 4;
  constexpr int kEventsPerRequest = 10;
  std::vector<std::vector<std::string>> accepted(kClients);
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int client_number = 0; client_number < kClients; ++client_number) {
    clients.emplace_back([&, client_number] {
      httplib::Client client("127.0.0.1", port_);
      client.set_keep_alive(true);
      client.set_read_timeout(30, 0);
      const httplib::Headers headers{{"Authorization", "Bearer secret-1"}};
      for (int request = 0; request < kRequestsEach; ++request) {
        std::string body;
        for (int event = 0; event < kEventsPerRequest; ++event) {
          body += handoff("m" + std::to_string(client_number) + "-" + std::to_string(request) + "-" + std::to_string(event)) + "\n";
        }
        const auto answer = client.Post("/v1/events", headers, body, "application/x-ndjson");
        if (!answer) {
          failures[client_number] = "no answer: " + httplib::to_string(answer.error());
          return;
        }
        if (answer->status != 200) {
          failures[client_number] = std::to_string(answer->status) + ": " + answer->body;
          return;
        }
        const auto ids = accepted_ids(answer->body);
        accepted[client_number].insert(accepted[client_number].end(), ids.begin(), ids.end());
      }
    });
  }
  for (auto& client : clients) client.join();
  std::set<std::string> acknowledged;
  for (int client_number = 0; client_number < kClients; ++client_number) {
    EXPECT_EQ(failures[client_number], "") << "client " << client_number;
    acknowledged.insert(accepted[client_number].begin(), accepted[client_number].end());
  }
  EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(kClients * kRequestsEach * kEventsPerRequest));

  kafka::Config config = test_config(broker_.bootstraps());
  config.set("group.id", unique_name("reader")).set("auto.offset.reset", "earliest");
  kafka::Consumer reader(config);
  reader.subscribe({topic_});
  std::set<std::string> stored;
  rapidjson::Document document;
  for (const auto& record : consume(reader, acknowledged.size(), 30s)) {
    document.Parse(record.value.c_str());
    stored.insert(document["event_id"].GetString());
  }
  EXPECT_EQ(stored, acknowledged);
}

TEST_F(IngestTest, HealthAndReadiness) {
  httplib::Client client("127.0.0.1", port_);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  // A topic it writes to is gone (the broker deletes in the background): not ready.
  kafka::delete_topics(test_config(broker_.bootstraps()), {topic_ + ".dlq"}, 30s);
  int status = 200;
  std::string body;
  for (const auto deadline = std::chrono::steady_clock::now() + 20s; status == 200 && std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(200ms)) {
    const auto ready = client.Get("/readyz");
    ASSERT_TRUE(ready);
    status = ready->status;
    body = ready->body;
  }
  EXPECT_EQ(status, 503);
  EXPECT_NE(body.find("topic " + topic_ + ".dlq does not exist"), std::string::npos) << body;
  broker_.stop();
  client.set_read_timeout(10, 0);
  EXPECT_EQ(client.Get("/readyz")->status, 503);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  broker_.start();
}

}  // namespace
}  // namespace relmap
