#include "transactional_committer.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include <pthread.h>

#include "relmap/common/logging.hpp"

namespace relmap::consumer {
namespace {

using namespace std::chrono_literals;

const auto& log() {
  static const auto logger = relmap::logger("aggregate");
  return logger;
}

CommitOutcome committed() { return {true, {}}; }
CommitOutcome aborted(std::string reason) { return {false, std::move(reason)}; }
CommitOutcome write_failed(const std::string& topic, std::error_code error) {
  return aborted("producing to " + topic + " failed: " + error.message());
}

template <typename TransactionCall>
kafka::KafkaError retry_if_retriable(std::string_view what, const TransactionCall& call) {
  kafka::KafkaError error = call();
  for (int retry = 0; error && error.is_retriable() && retry < 5; ++retry) {
    log()->warn("{} failed, retrying: {}", what, error.message());
    error = call();
  }
  return error;
}

}  // namespace

TransactionalCommitter::TransactionalCommitter(kafka::Config config, std::string transactional_id,
                                               std::vector<std::string> output_topics)
    : config_(std::move(config)), output_topics_(std::move(output_topics)) {
  config_.set("transactional.id", std::move(transactional_id));
  producer_ = make_producer();
}

std::unique_ptr<kafka::Producer> TransactionalCommitter::make_producer() const {
  auto producer = std::make_unique<kafka::Producer>(config_);
  kafka::throw_on_error(producer->init_transactions(60s), "initialising transactions");
  if (const auto error = producer->learn_topics(output_topics_, 10s)) {
    log()->warn("looking up the output topics: {} (they are looked up again when written)", error.message());
  }
  return producer;
}

void TransactionalCommitter::start(Transaction transaction) {
  in_flight_ = std::async(std::launch::async, [this, transaction = std::move(transaction)]() mutable {
    return commit(std::move(transaction));
  });
}

bool TransactionalCommitter::busy() const {
  return in_flight_.valid() && in_flight_.wait_for(0s) != std::future_status::ready;
}

std::optional<CommitOutcome> TransactionalCommitter::settle() {
  if (!in_flight_.valid()) return std::nullopt;
  CommitOutcome outcome = in_flight_.get();  // rethrows what was fatal
  if (outcome.committed) {
    failures_in_a_row_ = 0;
    return outcome;
  }
  log()->warn("transaction aborted: {}", outcome.abort_reason);
  producer_.reset();
  producer_ = make_producer();
  std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(100ms * (1 << std::min(failures_in_a_row_, 6)), 5s));
  ++failures_in_a_row_;
  return outcome;
}

CommitOutcome TransactionalCommitter::commit(Transaction transaction) {
  pthread_setname_np(pthread_self(), "relmap-commit");
  kafka::throw_on_error(producer_->begin_transaction(), "beginning a transaction");
  // librdkafka refuses locally what it knows will fail (a topic it saw an error for): treated like a
  // failed request, by aborting the batch; the topic's metadata is refreshed before the retry.
  // A topic's records go in one call, in order; dead letters, which carry headers, one by one.
  std::map<const std::string*, std::vector<kafka::KeyedMessage>> by_topic;
  for (const auto& record : transaction.records) {
    if (record.headers.empty()) {
      by_topic[record.topic].push_back({record.key, record.value, nullptr, record.partition});
    } else if (const auto error = producer_->produce(*record.topic, record.key, record.value, record.headers, nullptr,
                                                     record.partition)) {
      return write_failed(*record.topic, error);
    }
  }
  for (const auto& [topic, messages] : by_topic) {
    if (const auto error = producer_->produce_batch(*topic, messages)) return write_failed(*topic, error);
  }
  // Each call is retried on its own: committing after the offsets failed to join the transaction
  // would commit the batch's state without its input positions, and the batch would be read again.
  kafka::KafkaError error = retry_if_retriable("sending offsets to the transaction", [&] {
    return producer_->send_offsets_to_transaction(transaction.offsets, *transaction.group, 60s);
  });
  if (!error) error = retry_if_retriable("committing the transaction", [&] { return producer_->commit_transaction(60s); });
  if (error) {
    if (!error.transaction_requires_abort()) throw kafka::KafkaException(error);
    kafka::throw_on_error(producer_->abort_transaction(60s), "aborting a transaction");
    return aborted(error.message());
  }
  return committed();
}

}  // namespace relmap::consumer
