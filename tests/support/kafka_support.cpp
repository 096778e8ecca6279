#include "kafka_support.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace relmap::testing {

std::string real_brokers() {
  const char* brokers = std::getenv("RELMAP_KAFKA_BROKERS");
  // Thrown, so that the test fails at once instead of waiting out every Kafka timeout.
  if (brokers == nullptr || *brokers == '\0') {
    throw std::runtime_error("RELMAP_KAFKA_BROKERS is not set: run scripts/test, which starts a real broker");
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

kafka::Config group_reader_config(const std::string& brokers, const std::string& group) {
  kafka::Config config = test_config(brokers);
  config.set("group.id", group).set("auto.offset.reset", "earliest").set("session.timeout.ms", "6000")
      .set("heartbeat.interval.ms", "500");
  return config;
}

std::vector<ConsumedRecord> consume_topic(const std::string& brokers, const std::string& group, const std::string& topic,
                                          std::size_t count, std::chrono::milliseconds timeout) {
  kafka::Consumer consumer(group_reader_config(brokers, group));
  consumer.subscribe({topic});
  return consume(consumer, count, timeout);
}

std::vector<ConsumedRecord> consume(kafka::Consumer& consumer, std::size_t count, std::chrono::milliseconds timeout) {
  std::vector<ConsumedRecord> records;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (records.size() < count && std::chrono::steady_clock::now() < deadline) {
    const auto message = consumer.poll(std::chrono::milliseconds{200});
    if (!message || message.is_end_of_partition()) continue;
    if (!message.is_record()) {
      ADD_FAILURE() << "consume error: " << message.error_text();
      continue;
    }
    records.push_back({std::string(message.key()), std::string(message.value()), message.partition(), message.offset(),
                       message.has_null_value()});
  }
  return records;
}

void delete_records_before(const std::string& brokers, const std::string& topic, std::int32_t partition, std::int64_t offset) {
  using namespace std::chrono_literals;
  kafka::delete_records(test_config(brokers), {{topic, partition, offset}}, 30s);
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

PrivateBroker::PrivateBroker() {
  char pattern[] = "/tmp/relmap-private-broker.XXXXXX";
  const char* created = ::mkdtemp(pattern);
  if (created == nullptr) {
    ADD_FAILURE() << "cannot create a state directory";
    return;
  }
  state_dir_ = created;
  start();
}

PrivateBroker::~PrivateBroker() { command("clean"); }

std::string PrivateBroker::command(const std::string& action) const {
  return run_command("RELMAP_KAFKA_DIR=" + state_dir_ + " " + RELMAP_SOURCE_DIR + "/deploy/kafka-local " + action +
                     " 2>/dev/null");
}

void PrivateBroker::start() {
  bootstraps_ = command("start");
  while (!bootstraps_.empty() && (bootstraps_.back() == '\n' || bootstraps_.back() == '\r')) bootstraps_.pop_back();
  serve_first_idempotent_producer();
}

void PrivateBroker::serve_first_idempotent_producer() const {
  using namespace std::chrono_literals;
  const std::string topic = "relmap-test-warm-up";
  kafka::create_topics(test_config(bootstraps_), {{topic, 1, 1, {}}}, 30s);
  std::error_code delivered = std::make_error_code(std::errc::timed_out);  // until a report says otherwise
  kafka::Producer producer(test_config(bootstraps_),  // idempotent, as relmap's are
                           [&](const kafka::Delivery& delivery) { delivered = delivery.error; });
  EXPECT_FALSE(producer.produce(topic, "", "warm-up"));
  EXPECT_FALSE(producer.flush(60s));
  EXPECT_FALSE(delivered) << "the private broker did not take a first idempotent message: " << delivered.message();
}

void PrivateBroker::stop() { command("stop"); }

int spawn(const std::vector<std::string>& argv, const std::string& stdout_path) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, STDOUT_FILENO);
    std::vector<char*> arguments;
    for (const auto& argument : argv) arguments.push_back(const_cast<char*>(argument.c_str()));
    arguments.push_back(nullptr);
    ::execv(arguments[0], arguments.data());
    ::_exit(127);
  }
  return pid;
}

int stop_process(int pid, int signal) {
  ::kill(pid, signal);
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string wait_for_line(const std::string& path, const std::string& marker, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (line.find(marker) != std::string::npos) return line;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
  }
  ADD_FAILURE() << "no line with '" << marker << "' in " << path;
  return {};
}

}  // namespace relmap::testing
