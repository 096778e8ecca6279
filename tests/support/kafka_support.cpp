#include "kafka_support.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace relmap::testing {

std::string real_brokers() {
  const char* brokers = std::getenv("RELMAP_KAFKA_BROKERS");
  if (brokers == nullptr || *brokers == '\0') {
    ADD_FAILURE() << "RELMAP_KAFKA_BROKERS is not set: run scripts/test, which starts a real broker";
    return "127.0.0.1:1";
  }
  return brokers;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return "relmap-test-" + prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

kafka::Config test_config(const std::string& brokers) {
  kafka::Config config;
  config.set("bootstrap.servers", brokers)
      .set("socket.timeout.ms", "10000")
      .set("message.timeout.ms", "30000");
  return config;
}

std::vector<ConsumedRecord> consume(kafka::Consumer& consumer, std::size_t count, std::chrono::milliseconds timeout) {
  std::vector<ConsumedRecord> records;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
    const auto message = consumer.poll(std::chrono::milliseconds{200});
    if (!message || message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (message->err) {
      ADD_FAILURE() << "consume error: " << rd_kafka_message_errstr(message.get());
      continue;
    }
    records.push_back({std::string(kafka::key(*message)), std::string(kafka::payload(*message)),
                       message->partition, message->offset});
  }
  return records;
}

std::string run_command(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return output;
  }
  char buffer[4096];
  while (const auto size = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, size);
  const int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command << " failed: " << output;
  return output;
}

}  // namespace relmap::testing
