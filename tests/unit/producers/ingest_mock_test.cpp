// relmap ingest's HTTP handling on librdkafka's mock cluster, through raw sockets where a client
// library would not send what an attacker or a careless integration sends (issue 23, items 1 to 3
// and 15): what is answered, how soon, and that the server still serves others afterwards.
#include "relmap/producer/ingest_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "../../support/kafka_support.hpp"
#include "relmap/common/utf8.hpp"
#include "relmap/kafka/mock_cluster.hpp"

namespace relmap::producer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::string kEvent =
    R"({"event_id":"e1","type":"handoff","v":1,"occurred_at":"2026-03-02T09:00:00Z","case_id":"c1","source":"t","from":"A","to":"B"})";

/// One TCP connection to the server, written and read as bytes.
class RawConnection {
 public:
  explicit RawConnection(int port) : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot connect");
    }
    timeval timeout{10, 0};
    ::setsockopt(socket_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~RawConnection() { ::close(socket_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// False once the server has closed the connection.
  bool send(std::string_view bytes) { return ::send(socket_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()); }

  /// One answer: its headers and as much body as Content-Length says; "" when none came.
  std::string answer() {
    while (true) {
      const auto header_end = received_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        const auto length_at = received_.find("Content-Length: ");
        const std::size_t length = length_at < header_end ? std::stoul(received_.substr(length_at + 16)) : 0;
        if (received_.size() >= header_end + 4 + length) {
          std::string one = received_.substr(0, header_end + 4 + length);
          received_.erase(0, one.size());
          return one;
        }
      }
      char buffer[65536];
      const auto got = ::recv(socket_, buffer, sizeof buffer, 0);
      if (got <= 0) return {};
      received_.append(buffer, static_cast<std::size_t>(got));
    }
  }

 private:
  int socket_;
  std::string received_;
};

std::string post_request(const std::string& body, const std::string& type = "application/json",
                         const std::string& token = "secret") {
  return "POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: " + type + "\r\n" +
         (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

int status_of(const std::string& answer) { return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0; }

class IngestHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_.create_topic(topics_.events, 2);
    cluster_.create_topic(topics_.dead_letter, 1);
    settings_.port = 0;
    settings_.tokens = {"secret"};
    settings_.max_body_bytes = 4u << 20;
    settings_.body_timeout = 1500ms;
    settings_.delivery_timeout = 5000ms;
  }
  void start() {
    server_ = std::make_unique<IngestServer>(relmap::testing::test_config(cluster_.bootstraps()), topics_, PublishSettings{},
                                             settings_);
    server_->start();
  }
  int healthz_status() {
    RawConnection connection(server_->port());
    connection.send("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n");
    return status_of(connection.answer());
  }

  kafka::MockCluster cluster_;
  Topics topics_{"events", "events.dlq"};
  IngestSettings settings_;
  std::unique_ptr<IngestServer> server_;
};

TEST_F(IngestHttp, ARequestWithoutAValidTokenIsAnsweredBeforeItsBodyIsSent) {
  start();
  RawConnection connection(server_->port());
  const auto started = Clock::now();
  // Headers announcing a large body, none of which is sent.
  connection.send("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n");
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 401) << answer;
  EXPECT_LT(Clock::now() - started, 1s);
}

TEST_F(IngestHttp, AChunkedBodyIsBoundedLikeAnyOther) {
  start();
  RawConnection connection(server_->port());
  connection.send("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer secret\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n");
  const std::string chunk(1u << 20, ' ');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  for (int i = 0; i < 8 && connection.send(std::string(size_line) + chunk + "\r\n"); ++i) {
  }
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 413) << answer;
  EXPECT_EQ(healthz_status(), 200);
}

TEST_F(IngestHttp, ABodyThatTricklesInIsCutOffAtItsTimeout) {
  start();
  RawConnection connection(server_->port());
  const auto started = Clock::now();
  connection.send("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer secret\r\n"
                  "Content-Length: 1000\r\n\r\n");
  std::thread trickle([&] {
    for (int i = 0; i < 40 && connection.send("["); ++i) std::this_thread::sleep_for(100ms);
  });
  const std::string answer = connection.answer();
  const auto answered_after = Clock::now() - started;
  trickle.join();
  EXPECT_EQ(status_of(answer), 408) << answer;
  EXPECT_LT(answered_after, 3s);
}

// 100,000 nested arrays in 200 KB crashed the server (SIGSEGV): its parser recursed without bound.
TEST_F(IngestHttp, DeeplyNestedArraysAreRefusedWithAReasonAndTheServerLivesOn) {
  start();
  RawConnection connection(server_->port());
  connection.send(post_request(std::string(100000, '[') + std::string(100000, ']')));
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 400) << answer;
  EXPECT_NE(answer.find("deeper than 17 levels"), std::string::npos) << answer;
  EXPECT_EQ(healthz_status(), 200);
}

TEST_F(IngestHttp, ABodyThatIsNotEventsIsRefusedAsAnUnsupportedMediaType) {
  start();
  RawConnection connection(server_->port());
  connection.send(post_request(kEvent, "text/plain"));
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 415) << answer;
  EXPECT_NE(answer.find("application/json"), std::string::npos) << answer;
}

// A Content-Type of bytes that are not UTF-8 was quoted into the 415's JSON as it came: invalid JSON.
TEST_F(IngestHttp, ARefusalQuotingAHeaderThatIsNotUtf8IsStillJson) {
  start();
  RawConnection connection(server_->port());
  connection.send(post_request(kEvent, "text/\xFF\xFE"));
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 415) << answer;
  const auto body = answer.substr(answer.find("\r\n\r\n") + 4);
  EXPECT_FALSE(first_invalid_utf8(body).has_value()) << body;
  EXPECT_NE(body.find("text/\xEF\xBF\xBD\xEF\xBF\xBD"), std::string::npos) << body;
}

// An invalid record too large for the broker was answered 503, "retry", which a client does forever.
TEST_F(IngestHttp, AnInvalidRecordOverAMegabyteIsTheClientsErrorAndItsDeadLetterIsStored) {
  start();
  RawConnection connection(server_->port());
  const std::string huge = R"({"event_id":"big","padding":")" + std::string(2u << 20, 'x') + R"("})";
  connection.send(post_request(huge));
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 400) << answer.substr(0, 400);
  EXPECT_NE(answer.find(R"("code":"too_large")"), std::string::npos) << answer.substr(0, 400);
  const auto dead_letters = relmap::testing::consume_topic(cluster_.bootstraps(), "dlq-reader", topics_.dead_letter, 1, 10s);
  ASSERT_EQ(dead_letters.size(), 1u);
  EXPECT_EQ(dead_letters[0].value, huge.substr(0, kMaxDeadLetterBytes));
}

// A token over its rate is answered 429 on the headers, with Retry-After, before any body is read;
// another token keeps its own allowance.
TEST_F(IngestHttp, ATokenOverItsRateIsAnswered429OnItsHeadersAndAnotherTokenIsNot) {
  settings_.tokens = {"secret", "other"};
  settings_.requests_per_second_per_token = 0.5;
  settings_.burst_per_token = 2;
  start();
  RawConnection connection(server_->port());
  for (int i = 0; i < 2; ++i) {
    connection.send(post_request(kEvent));
    EXPECT_EQ(status_of(connection.answer()), 200) << i;
  }
  RawConnection limited(server_->port());
  limited.send("POST /v1/events HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer secret\r\n"
               "Content-Length: 3000000\r\n\r\n");  // none of the body is sent
  const std::string answer = limited.answer();
  EXPECT_EQ(status_of(answer), 429) << answer;
  EXPECT_NE(answer.find("Retry-After: 2\r\n"), std::string::npos) << answer;
  RawConnection other(server_->port());
  other.send(post_request(kEvent, "application/json", "other"));
  EXPECT_EQ(status_of(other.answer()), 200);
}

// An invalid record is final ("rejected", 400: do not send it again) only once its dead letter is
// stored. With the dead letter unacknowledged, it was still answered "rejected", and lost: the
// cluster check counted 65 dead letters of the 66 it had sent while a broker was down.
TEST_F(IngestHttp, AnInvalidRecordWhoseDeadLetterKafkaRefusedIsNotStoredAndToBeSentAgain) {
  settings_.delivery_timeout = 2000ms;
  start();
  cluster_.inject_errors(kafka::ApiKey::produce, 50, kafka::BrokerError::topic_authorization_failed);
  RawConnection connection(server_->port());
  connection.send(post_request(R"({"v":1,"event_id":"no-type"})"));
  const std::string answer = connection.answer();
  EXPECT_EQ(status_of(answer), 503) << answer;
  EXPECT_NE(answer.find(R"("status":"failed","code":"not_stored")"), std::string::npos) << answer;
  EXPECT_NE(answer.find("not acknowledge it in the dead-letter topic"), std::string::npos) << answer;
}

// 70 connections sending a byte a second held all 64 of cpp-httplib's threads: /healthz went
// unanswered for 120 s (issue 23, item 2). On the asynchronous server a slow client holds a socket
// and a deadline, never a thread.
TEST_F(IngestHttp, SlowClientsTricklingTheirHeadersCannotHoldTheServer) {
  settings_.idle_timeout = 3s;
  start();
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 100; ++i) slow.push_back(std::make_unique<RawConnection>(server_->port()));
  std::atomic<bool> trickling{true};
  std::thread trickle([&] {
    const std::string request = "POST /v1/events HTTP/1.1\r\nHost: test\r\nX-Padding: ";
    for (std::size_t byte = 0; trickling; byte = (byte + 1) % request.size()) {
      for (auto& connection : slow) connection->send(std::string(1, request[byte]));
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(500ms);
  for (int i = 0; i < 5; ++i) {
    const auto asked = Clock::now();
    EXPECT_EQ(healthz_status(), 200);
    EXPECT_LT(Clock::now() - asked, 500ms) << "a health check waited behind the slow clients";
    RawConnection client(server_->port());
    client.send(post_request(kEvent));
    EXPECT_EQ(status_of(client.answer()), 200);
  }
  // Past the deadline the slow clients are cut off, whatever they still send.
  std::this_thread::sleep_for(3500ms);
  trickling = false;
  trickle.join();
  const auto reading = Clock::now();
  for (auto& connection : slow) EXPECT_TRUE(connection->answer().empty());
  EXPECT_LT(Clock::now() - reading, 2s) << "closed, not waited on (a receive times out after 10 s)";
}

TEST_F(IngestHttp, AKeptConnectionServesManyRequests) {
  start();
  RawConnection connection(server_->port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(connection.send(post_request(kEvent))) << "request " << i;
    const std::string answer = connection.answer();
    ASSERT_EQ(status_of(answer), 200) << "request " << i << ": " << answer;
    EXPECT_EQ(answer.find("Connection: close"), std::string::npos) << "request " << i;
  }
}

}  // namespace
}  // namespace relmap::producer
