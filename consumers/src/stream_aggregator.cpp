#include "relmap/consumer/stream_aggregator.hpp"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <absl/container/flat_hash_map.h>
#include <pthread.h>

#include "read_topic.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/consumer/apply_shard.hpp"
#include "relmap/aggregation/apply_record.hpp"
#include "relmap/aggregation/state_codec.hpp"

namespace relmap::consumer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const auto& log() {
  static const auto logger = relmap::logger("aggregate");
  return logger;
}

/// The alert of an andon pull: {"kind":"andon", the event's fields}.
std::string andon_alert(const schemas::Event& event) {
  std::string json = schemas::to_json(event);
  json.insert(1, R"("kind":"andon",)");
  return json;
}

/// A record to write in a transaction.
struct OutputRecord {
  const std::string* topic;  ///< one of the aggregator's StreamTopics
  std::int32_t partition;
  std::string key;
  std::string value;  ///< empty: a tombstone
  kafka::Headers headers;
};

/// What a shard's messages add to the batch besides the state: dead letters, alerts, counts.
struct ShardOutput {
  std::vector<OutputRecord> records;
  std::uint64_t messages = 0;
  std::uint64_t rejected = 0;
};

/// Work for a shard: a message to apply to its partition's aggregator or, without one, the end of a
/// batch: the records of the partition's changed cases.
struct ShardItem {
  kafka::Message message;
  aggregation::Aggregator* aggregator;
  std::int32_t partition;
};

/// What one transaction commits: a batch's output records and the input positions after it.
struct Transaction {
  std::vector<OutputRecord> records;
  std::vector<kafka::TopicPartition> offsets;
  kafka::GroupMetadataPtr group;
};

/// How a transaction ended: committed, or aborted (by the broker, or because librdkafka refused one of
/// its records locally), the batch to be read again.
struct CommitOutcome {
  bool committed = false;
  std::string abort_reason;

  static CommitOutcome success() { return {true, {}}; }
  static CommitOutcome aborted(std::string reason) { return {false, std::move(reason)}; }
  static CommitOutcome write_failed(const std::string& topic, std::error_code error) {
    return aborted("producing to " + topic + " failed: " + error.message());
  }
};

// A changelog or aggregates record that does not decode was not written by relmap, or by a build that
// used another format: the reader stops rather than count without it.
aggregation::CaseState readable_case_state(const std::string& key, std::string_view value, const schemas::Decoder& decoder,
                              const std::string& topic) {
  auto state = aggregation::decode_case_state(value, decoder);
  if (!state) throw std::runtime_error("unreadable case state " + key + " in " + topic);
  return std::move(*state);
}

aggregation::PartitionTotals readable_totals(std::string_view value, const std::string& topic) {
  const auto totals = aggregation::decode_totals(value);
  if (!totals) throw std::runtime_error("unreadable totals in " + topic);
  return *totals;
}

}  // namespace

class StreamAggregator::Impl {
 public:
  Impl(kafka::Config config, StreamTopics topics, StreamSettings settings, Counters& counters)
      : base_(std::move(config)), topics_(std::move(topics)), settings_(std::move(settings)), counters_(counters) {
    producer_ = make_producer();

    kafka::Config consumer_config = base_;
    consumer_config.set("group.id", settings_.group).set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed").set("auto.offset.reset", "earliest")
        .set_default("partition.assignment.strategy", "cooperative-sticky").set("enable.partition.eof", "true");
    consumer_ = std::make_unique<kafka::Consumer>(
        consumer_config, kafka::RebalanceListener{[this](const auto& partitions) { on_assigned(partitions); },
                                                  [this](const auto& partitions, bool lost) { on_revoked(partitions, lost); }});
    shard_outputs_.resize(std::max<std::size_t>(settings_.apply_threads, 1));
    for (std::size_t shard = 0; shard < shard_outputs_.size(); ++shard) {
      shards_.push_back(std::make_unique<ApplyShard<ShardItem>>([this, shard](ShardItem& item) {
        if (item.message) {
          apply(item.message, *item.aggregator, shard_outputs_[shard]);
        } else {
          write_changed_cases(item.partition, *item.aggregator, shard_outputs_[shard]);
        }
      }));
    }
  }

  ~Impl() {
    // The consumer's close runs the revoke callback, which uses the producer: close it first.
    if (consumer_) consumer_->close();
  }

  void run(const std::atomic<bool>& stop) {
    expect_output_topics();
    if (settings_.stop_at_end) {
      end_targets_ = kafka::high_watermarks(base_, topics_.events, 30s);
      if (end_targets_.empty()) throw std::runtime_error("topic " + topics_.events + " does not exist");
      unread_to_end_ = nonempty_end_targets();
    }
    consumer_->subscribe({topics_.events});
    auto next_report = Clock::now() + 10s;
    auto next_end_check = Clock::now();
    std::uint64_t reported_messages = 0;
    auto now = Clock::now();
    std::uint32_t messages_since_now = 0;
    while (!stop) {
      auto message = consumer_->poll(100ms);
      bool nothing_more_to_read = !message;
      // Reading the clock costs as much as handing a message on: once per 64 messages is precise
      // enough for a batch's age (a fraction of a millisecond).
      if (!message || ++messages_since_now == 64) {
        now = Clock::now();
        messages_since_now = 0;
      }
      if (message && message.is_record()) {
        if (!caught_up_.empty()) caught_up_.erase(message.partition());
        dispatch(std::move(message));
      } else if (message && message.is_end_of_partition()) {
        caught_up_.insert(message.partition());
        nothing_more_to_read = all_caught_up();
      } else if (message) {
        log()->warn("consume: {}", message.error_text());
      }
      // A batch ends when full, when old enough, or as soon as there is nothing more to read: then
      // waiting would only delay the aggregates (and, for --stop-at-end, the exit).
      // With --stop-at-end, this instance may have read every partition to its end itself: then
      // there is no need to wait for the consumer to report the ends, nor to check the group's
      // offsets later than the moment the last transaction settles.
      const bool read_everything = settings_.stop_at_end && unread_to_end_.empty();
      if (batch_messages_ > 0 && (batch_messages_ >= settings_.batch_messages ||
                                  now - batch_started_ >= settings_.batch_time || nothing_more_to_read || read_everything)) {
        commit_batch();
      }
      // The end is checked once the last transaction has settled: its offsets are then the group's.
      // Asking the group for them, even when this instance read every end itself, waits until they
      // are stable, that is until the transaction's markers are written: only then can a
      // read_committed reader (`relmap map --brokers` right after) see what the run wrote.
      if (settings_.stop_at_end && batch_messages_ == 0 && (read_everything || (now >= next_end_check && !committing()))) {
        if (settle() && reached_end()) break;
        next_end_check = now + 500ms;
      }
      if (now >= next_report) {
        drain_shards();
        log()->info("{} partition(s), {} msg/s, lag {}, {} rejected, {} transaction(s), {} abort(s), {} case(s) in memory",
                    partitions_.size(), (counters_.messages - reported_messages) / 10, lag(), counters_.rejected,
                    counters_.transactions, counters_.aborts, cases_in_memory());
        reported_messages = counters_.messages;
        next_report = now + 10s;
      }
    }
    commit_batch();
    settle();
    // librdkafka 2.0.2 asserts when a cooperative-sticky consumer closes before its first assignment
    // (librdkafka #4312, fixed in 2.3.0): let the join finish first. What poll returns meanwhile is
    // not processed, and no position is committed after it.
    const auto join_deadline = Clock::now() + 60s;
    while (!assigned_once_ && Clock::now() < join_deadline) consumer_->poll(100ms);
    consumer_->close();
  }

 private:
  /// Without its output topics nothing can be committed, and restore would wait for a changelog that
  /// is not there: a missing one ends the run at once. A case's state is written to its input
  /// partition, so the changelog and aggregates topics need at least the events topic's partitions.
  /// (A missing events topic is only warned about: the consumer waits for it.)
  void expect_output_topics() const {
    const std::vector<std::string> outputs = {topics_.changelog, topics_.aggregates, topics_.alerts, topics_.dead_letter};
    std::vector<std::string> topics = outputs;
    topics.push_back(topics_.events);
    const auto partitions = kafka::partition_counts(base_, topics, 30s);
    const int input_partitions = partitions.back();
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (partitions[i] == 0) throw std::runtime_error("topic " + outputs[i] + " does not exist (relmap topics create makes it)");
      const bool written_by_input_partition = i < 2;  // the changelog and the aggregates
      if (written_by_input_partition && partitions[i] < input_partitions) {
        throw std::runtime_error("topic " + outputs[i] + " has " + std::to_string(partitions[i]) + " partition(s), fewer than the " +
                                 std::to_string(input_partitions) + " of " + topics_.events +
                                 ": each case's state goes to its input partition");
      }
    }
  }

  std::unique_ptr<kafka::Producer> make_producer() const {
    kafka::Config producer_config = base_;
    producer_config.set("transactional.id", "relmap-aggregator-" + settings_.instance_id);
    auto producer = std::make_unique<kafka::Producer>(producer_config);
    kafka::throw_on_error(producer->init_transactions(60s), "initialising transactions");
    if (const auto error = producer->learn_topics({topics_.changelog, topics_.aggregates, topics_.alerts, topics_.dead_letter}, 10s)) {
      log()->warn("looking up the output topics: {} (they are looked up again when written)", error.message());
    }
    return producer;
  }

  void on_assigned(const std::vector<kafka::TopicPartition>& assigned) {
    drain_shards();
    assigned_once_ = true;
    std::vector<std::int32_t> partitions;
    for (const auto& partition : assigned) partitions.push_back(partition.partition);
    restore(partitions);
  }

  void on_revoked(const std::vector<kafka::TopicPartition>& revoked, bool lost) {
    drain_shards();
    if (lost) {
      // Another member may own them already: what this batch did must not be committed.
      log()->warn("{} partition(s) lost: dropping the batch in progress", revoked.size());
      settle();
      for (const auto& partition : revoked) partitions_.erase(partition.partition);
      abort_and_rewind();
      return;
    }
    // Their next owner restores what is committed: all of it, before they are given up.
    commit_batch();
    settle();
    for (const auto& partition : revoked) partitions_.erase(partition.partition);
  }

  /// Rebuilds the state of `partitions` from the changelog.
  void restore(const std::vector<std::int32_t>& partitions) {
    const auto started = Clock::now();
    std::size_t cases = 0;
    for (auto& [partition, contents] : read_partitions(base_, topics_.changelog, partitions)) {
      aggregation::Aggregator aggregator;
      for (auto& [key, value] : contents) {
        if (key == kTotalsKey) {
          aggregator.restore_totals(readable_totals(value, topics_.changelog));
        } else if (key.starts_with(kCaseKeyPrefix)) {
          aggregator.restore_case(key.substr(kCaseKeyPrefix.size()), readable_case_state(key, value, state_decoder_, topics_.changelog));
          ++cases;
        }
      }
      partitions_[partition] = std::move(aggregator);
      caught_up_.erase(partition);  // read again from its committed offset
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    ++counters_.restores;
    counters_.restore_time += took;
    log()->info("restored {} partition(s), {} case(s), in {} ms", partitions.size(), cases, took.count());
  }

  /// Drops a batch whose transaction failed, with the producer that failed it: librdkafka 2.0.2 does
  /// not always recover the idempotence sequence after a failed transaction, whether it refused
  /// messages locally or the broker failed a produce request ("skipped sequence numbers" at the next
  /// commit, which once waited 60 s for a message that never left), so a new producer with the same
  /// transactional.id takes over (its initialisation aborts the open transaction on the broker). Waits
  /// a little longer after each failure in a row.
  void restart_after_failed_transaction(const std::string& reason) {
    log()->warn("transaction aborted: {}", reason);
    producer_.reset();
    producer_ = make_producer();
    abort_and_rewind();
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(100ms * (1 << std::min(failures_in_a_row_, 6)), 5s));
    ++failures_in_a_row_;
  }

  void dead_letter(ShardOutput& output, const kafka::Message& message, std::string bytes, std::string_view code,
                   const std::string& reason) {
    ++output.rejected;
    output.records.push_back({&topics_.dead_letter, kafka::kAnyPartition, std::string(message.key()), std::move(bytes),
                              {{kafka::topology::kReasonHeader, reason},
                               {kafka::topology::kReasonCodeHeader, std::string(code)},
                               {kafka::topology::kSourceHeader, topics_.events + ":" + std::to_string(message.partition()) + ":" +
                                                     std::to_string(message.offset())}}});
  }

  /// Hands a message of an owned partition to its partition's shard (the consumer's thread).
  void dispatch(kafka::Message message) {
    const auto found = partitions_.find(message.partition());
    if (found == partitions_.end()) return;  // revoked while in flight: its new owner reads it
    note_read(message);
    if (batch_messages_++ == 0) batch_started_ = Clock::now();
    const auto partition = message.partition();
    shard_of(partition).add({std::move(message), &found->second, partition});
  }

  /// Decodes one message and applies it (a shard's thread).
  void apply(const kafka::Message& message, aggregation::Aggregator& aggregator, ShardOutput& output) {
    ++output.messages;
    // One per apply thread, refilled for each message: its strings keep their memory.
    thread_local schemas::Event event;
    std::vector<aggregation::LateRejection> late;
    const auto outcome = aggregation::apply_record(aggregator, decoder_, message.value(), event, late);
    if (outcome.invalid) {
      dead_letter(output, message, std::string(message.value()), schemas::to_string(outcome.invalid->code),
                  outcome.invalid->to_string());
      return;
    }
    if (outcome.applied == aggregation::Aggregator::Applied::counted && event.type() == schemas::EventType::andon) {
      // Inside the transaction: published exactly once, however often the batch is retried.
      output.records.push_back({&topics_.alerts, kafka::kAnyPartition, event.event_id, andon_alert(event), {}});
    }
    for (const auto& rejection : late) {
      dead_letter(output, message, schemas::to_json(rejection.event), rejection.code, rejection.reason);
    }
  }

  ApplyShard<ShardItem>& shard_of(std::int32_t partition) {
    return *shards_[static_cast<std::size_t>(partition) % shards_.size()];
  }

  /// The changelog records of a partition's cases changed in the batch, and its totals (a shard's
  /// thread). A case's facts are not written while it is in memory: they follow from its state, which
  /// readers take from the changelog (half the bytes a change costs the broker and this process).
  void write_changed_cases(std::int32_t partition, aggregation::Aggregator& aggregator, ShardOutput& output) {
    auto changes = aggregator.take_changes();
    output.records.reserve(output.records.size() + changes.cases.size() + 2);
    if (changes.totals) {
      std::string totals = aggregation::encode_totals(aggregator.totals());
      output.records.push_back({&topics_.changelog, partition, std::string(kTotalsKey), totals, {}});
      output.records.push_back({&topics_.aggregates, partition, std::string(kTotalsKey), std::move(totals), {}});
    }
    for (auto& [key, state] : changes.cases) {
      output.records.push_back({&topics_.changelog, partition, std::string(kCaseKeyPrefix) + key, aggregation::encode_case_state(*state), {}});
    }
  }

  /// Waits until the shards have applied every message handed to them, and takes what they produced
  /// into the batch: afterwards the aggregators are the consumer thread's again.
  void drain_shards() {
    for (auto& shard : shards_) shard->drain();
    std::size_t records = batch_.records.size();
    for (const auto& output : shard_outputs_) records += output.records.size();
    batch_.records.reserve(records);
    for (ShardOutput& output : shard_outputs_) {
      counters_.messages += output.messages;
      counters_.rejected += output.rejected;
      std::move(output.records.begin(), output.records.end(), std::back_inserter(batch_.records));
      output = ShardOutput{};
    }
  }

  /// Ends the batch: its changed cases, expired cases and input positions go to a transaction that
  /// commits on another thread while the next batch is read (the in-memory state runs ahead of what
  /// Kafka holds, as it does after an abort). At most one transaction is in flight: this waits for the
  /// previous one, and if that one failed, the state is restored and this batch is dropped with it.
  void commit_batch() {
    if (batch_messages_ == 0) return;
    // Each shard writes its partitions' changed cases after their last messages, in parallel.
    for (auto& [partition, aggregator] : partitions_) shard_of(partition).add({kafka::Message{}, &aggregator, partition});
    drain_shards();
    if (Clock::now() >= next_expiry_) {
      // Idle cases leave memory and the changelog (a tombstone); their facts go to the aggregates
      // topic, in the same transaction, and stay there.
      for (auto& [partition, aggregator] : partitions_) {
        for (const auto& [key, state] : aggregator.expire_idle_cases(settings_.retention)) {
          batch_.records.push_back({&topics_.aggregates, partition, departed_case_key(key, state), aggregation::encode_case_facts(aggregation::facts_of(state)), {}});
          batch_.records.push_back({&topics_.changelog, partition, std::string(kCaseKeyPrefix) + key, std::string{}, {}});
        }
      }
      next_expiry_ = Clock::now() + 30s;
    }
    for (const auto& position : consumer_->position(consumer_->assignment())) {
      if (position.offset >= 0 && partitions_.count(position.partition)) batch_.offsets.push_back(position);
    }
    batch_.group = consumer_->group_metadata();
    Transaction transaction = std::exchange(batch_, Transaction{});
    batch_messages_ = 0;
    if (!settle()) return;
    in_flight_ = std::async(std::launch::async, [this, transaction = std::move(transaction)]() mutable {
      return commit(std::move(transaction));
    });
  }

  bool committing() const { return in_flight_.valid() && in_flight_.wait_for(0s) != std::future_status::ready; }

  /// Waits for the transaction in flight, if any. After a failed one, restores the state and rewinds
  /// to the committed offsets, and returns false.
  bool settle() {
    if (!in_flight_.valid()) return true;
    const CommitOutcome outcome = in_flight_.get();  // rethrows what was fatal
    if (!outcome.committed) {
      restart_after_failed_transaction(outcome.abort_reason);
      return false;
    }
    failures_in_a_row_ = 0;
    ++counters_.transactions;
    return true;
  }

  /// One transaction, on the committer's thread: the only code that uses the producer while it runs.
  CommitOutcome commit(Transaction transaction) {
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
        return CommitOutcome::write_failed(*record.topic, error);
      }
    }
    for (const auto& [topic, messages] : by_topic) {
      if (const auto error = producer_->produce_batch(*topic, messages)) return CommitOutcome::write_failed(*topic, error);
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
      return CommitOutcome::aborted(error.message());
    }
    return CommitOutcome::success();
  }

  template <typename TransactionCall>
  static kafka::KafkaError retry_if_retriable(std::string_view what, const TransactionCall& call) {
    kafka::KafkaError error = call();
    for (int retry = 0; error && error.is_retriable() && retry < 5; ++retry) {
      log()->warn("{} failed, retrying: {}", what, error.message());
      error = call();
    }
    return error;
  }

  /// After an abort the in-memory state is ahead of what Kafka holds: restore it and read again from
  /// the committed offsets.
  void abort_and_rewind() {
    drain_shards();
    ++counters_.aborts;
    batch_messages_ = 0;
    unread_to_end_ = nonempty_end_targets();  // read again from the committed offsets
    batch_ = Transaction{};
    std::vector<kafka::TopicPartition> owned;
    std::vector<std::int32_t> partitions;
    for (const auto& [partition, aggregator] : partitions_) {
      owned.push_back({topics_.events, partition});
      partitions.push_back(partition);
    }
    restore(partitions);
    if (owned.empty()) return;
    // Bounded: the consumer must poll within max.poll.interval.ms (5 minutes) or leave the group.
    std::optional<std::vector<kafka::TopicPartition>> stable;
    for (int attempt = 0; attempt < 5 && !stable; ++attempt) stable = stable_committed(owned);
    if (!stable) throw std::runtime_error("the committed offsets to rewind to could not be read for 150 s");
    auto committed = std::move(*stable);
    for (auto& partition : committed) {
      if (partition.offset < 0) partition.offset = kafka::kOffsetBeginning;
    }
    if (const auto error = consumer_->seek(committed, 30s)) log()->warn("rewinding: {}", error.message());
  }

  /// The --stop-at-end targets of the partitions that hold anything, by partition.
  std::map<std::int32_t, std::int64_t> nonempty_end_targets() const {
    std::map<std::int32_t, std::int64_t> targets;
    for (const auto& target : end_targets_) {
      if (target.offset > 0) targets[target.partition] = target.offset;
    }
    return targets;
  }

  /// Notes how far this instance has read towards the --stop-at-end targets.
  void note_read(const kafka::Message& message) {
    const auto target = unread_to_end_.find(message.partition());
    if (target != unread_to_end_.end() && message.offset() + 1 >= target->second) unread_to_end_.erase(target);
  }

  bool reached_end() {
    if (settings_.end_by_position) return reached(consumer_->position(end_targets_));
    const auto committed = stable_committed(end_targets_);
    // Not readable yet: not the end yet either; the loop polls and asks again.
    return committed && reached(*committed);
  }

  /// The group's committed offsets of `partitions`, or nothing when the broker could not give them in
  /// time. An instance killed in a transaction leaves its offsets unstable until that transaction
  /// times out (transaction.timeout.ms, a minute by default), and its successor under another
  /// instance id cannot fence it: reading them then times out, which is a reason to wait, not to stop.
  std::optional<std::vector<kafka::TopicPartition>> stable_committed(const std::vector<kafka::TopicPartition>& partitions) {
    try {
      return consumer_->committed(partitions, 30s);
    } catch (const kafka::KafkaException& error) {
      if (!kafka::is_timed_out(error.code())) throw;
      log()->info("committed offsets not readable yet (an earlier instance's transaction may still be open): waiting");
      return std::nullopt;
    }
  }

  bool reached(const std::vector<kafka::TopicPartition>& committed) const {
    for (std::size_t i = 0; i < committed.size(); ++i) {
      if (end_targets_[i].offset > 0 && committed[i].offset < end_targets_[i].offset) return false;
    }
    return true;
  }

  bool all_caught_up() const {
    return std::all_of(partitions_.begin(), partitions_.end(),
                       [&](const auto& owned) { return caught_up_.count(owned.first) > 0; });
  }

  std::int64_t lag() const {
    std::int64_t total = 0;
    for (const auto& position : consumer_->position(consumer_->assignment())) {
      const auto watermarks = consumer_->last_known_watermarks(position.topic, position.partition);
      if (watermarks && position.offset >= 0) total += watermarks->high - position.offset;
    }
    return total;
  }

  std::size_t cases_in_memory() const {
    std::size_t total = 0;
    for (const auto& [partition, aggregator] : partitions_) total += aggregator.cases_in_memory();
    return total;
  }

  kafka::Config base_;
  StreamTopics topics_;
  StreamSettings settings_;
  Counters& counters_;
  schemas::Decoder decoder_{settings_.time_bounds};
  /// The changelog holds events this aggregator accepted before, whatever the clock says now.
  schemas::Decoder state_decoder_{schemas::TimeBounds::none()};
  std::map<std::int32_t, aggregation::Aggregator> partitions_;
  std::set<std::int32_t> caught_up_;  ///< partitions whose end the consumer reached, nothing read since
  std::unique_ptr<kafka::Producer> producer_;  // used by the consumer's callbacks: destroyed after it
  std::unique_ptr<kafka::Consumer> consumer_;
  Transaction batch_;  ///< what the batch being read will write
  std::future<CommitOutcome> in_flight_;  ///< the previous batch's transaction, committing
  std::vector<ShardOutput> shard_outputs_;  ///< one per shard, its thread's until drained
  std::vector<std::unique_ptr<ApplyShard<ShardItem>>> shards_;  // last: their threads use the members above
  int failures_in_a_row_ = 0;  ///< failed transactions
  bool assigned_once_ = false;
  std::size_t batch_messages_ = 0;
  Clock::time_point batch_started_{};
  Clock::time_point next_expiry_{};  ///< the first batch's end, then every 30 s: restored idle cases leave at once
  std::vector<kafka::TopicPartition> end_targets_;  ///< with stop_at_end: each partition's end at the start
  std::map<std::int32_t, std::int64_t> unread_to_end_;  ///< those this instance has not yet read to their end
};

namespace {
constexpr std::size_t kLifeDigits = 16;  // aggregation::life_of() in hex
}  // namespace

std::string departed_case_key(std::string_view case_key, const aggregation::CaseState& state) {
  char life[kLifeDigits + 1];
  std::snprintf(life, sizeof life, "%016" PRIx64, aggregation::life_of(state));
  return std::string(kDepartedKeyPrefix).append(life).append(":").append(case_key);
}

std::optional<DepartedKey> parse_departed_key(std::string_view key) {
  if (!key.starts_with(kDepartedKeyPrefix) || key.size() <= kDepartedKeyPrefix.size() + kLifeDigits ||
      key[kDepartedKeyPrefix.size() + kLifeDigits] != ':') {
    return std::nullopt;
  }
  const char* digits = key.data() + kDepartedKeyPrefix.size();
  DepartedKey departed{0, std::string(key.substr(kDepartedKeyPrefix.size() + kLifeDigits + 1))};
  if (std::from_chars(digits, digits + kLifeDigits, departed.life, 16).ptr != digits + kLifeDigits) return std::nullopt;
  return departed;
}

StreamAggregator::StreamAggregator(kafka::Config config, StreamTopics topics, StreamSettings settings)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(topics), std::move(settings), counters_)) {}

StreamAggregator::~StreamAggregator() = default;

void StreamAggregator::run(const std::atomic<bool>& stop) { impl_->run(stop); }

aggregation::AggregatesBuilder read_case_facts(const kafka::Config& config, const StreamTopics& topics) {
  const auto partitions = all_partitions(config, {topics.changelog, topics.aggregates});
  const auto& changelog_partitions = partitions[0];
  const auto& aggregates_partitions = partitions[1];
  if (aggregates_partitions.empty()) throw std::runtime_error("topic " + topics.aggregates + " does not exist");
  aggregation::AggregatesBuilder builder;
  // The cases in memory first, from their state in the changelog; then the aggregates topic, for the
  // totals and the lives of cases that have left memory. In this order a life that leaves memory
  // meanwhile is read from one topic or from both, never from neither; read from both, it counts
  // once (the same life). Each partition's records are freed once turned into facts: the peak holds
  // all of them only at first.
  const schemas::Decoder decoder{schemas::TimeBounds::none()};  // the changelog: accepted before
  absl::flat_hash_map<std::string, std::uint64_t> life_in_memory;  // by case key
  auto changelog = read_partitions(config, topics.changelog, changelog_partitions);
  for (auto partition = changelog.begin(); partition != changelog.end(); partition = changelog.erase(partition)) {
    for (const auto& [key, value] : partition->second) {
      if (!key.starts_with(kCaseKeyPrefix)) continue;
      const aggregation::CaseState state = readable_case_state(key, value, decoder, topics.changelog);
      std::string case_key = key.substr(kCaseKeyPrefix.size());
      life_in_memory.emplace(case_key, aggregation::life_of(state));
      builder.add_case(std::move(case_key), aggregation::facts_of(state));
    }
  }
  const auto add_facts = [&](std::string case_key, const std::string& key, const std::string& value) {
    auto facts = aggregation::decode_case_facts(value);
    if (!facts) throw std::runtime_error("unreadable case facts " + key + " in " + topics.aggregates);
    builder.add_case(std::move(case_key), std::move(*facts));
  };
  for (const auto& [partition, contents] : read_partitions(config, topics.aggregates, aggregates_partitions)) {
    std::vector<const std::pair<const std::string, std::string>*> earlier_builds_facts;
    for (const auto& record : contents) {
      const auto& [key, value] = record;
      if (key == kTotalsKey) {
        builder.add_partition(readable_totals(value, topics.aggregates));
      } else if (auto departed = parse_departed_key(key)) {
        const auto in_memory = life_in_memory.find(departed->case_key);
        if (in_memory != life_in_memory.end() && in_memory->second == departed->life) continue;  // read from its state
        add_facts(std::move(departed->case_key), key, value);
      } else if (key.starts_with(kCaseKeyPrefix)) {
        earlier_builds_facts.push_back(&record);
      }
    }
    // Facts that earlier builds wrote under the case's own key (for every change, and as it left
    // memory) count only for a case of which nothing newer is read: a state, or a life that left
    // memory since. A case's records all share its partition.
    for (const auto* record : earlier_builds_facts) {
      std::string case_key = record->first.substr(kCaseKeyPrefix.size());
      if (!builder.has_case(case_key)) add_facts(std::move(case_key), record->first, record->second);
    }
  }
  return builder;
}

aggregation::AggregatesBuilder read_aggregates_snapshot(const kafka::Config& config, const StreamTopics& topics) {
  auto builder = read_case_facts(config, topics);
  // Every rejection, the producers' and the aggregator's own (transactional), is a committed record
  // of the dead-letter topic: that count is `rejected`.
  std::uint64_t dead_letters = 0;
  read_partitions(config, topics.dead_letter, all_partitions(config, topics.dead_letter),
                  [&](const kafka::Message&) { ++dead_letters; });
  builder.set_rejected(dead_letters);
  return builder;
}

graph::Aggregates read_aggregates(const kafka::Config& config, const StreamTopics& topics, const graph::Window& window) {
  return read_aggregates_snapshot(config, topics).build(window);
}

}  // namespace relmap::consumer
