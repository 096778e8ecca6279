#include "relmap/consumer/stream_aggregator.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "relmap/aggregation/apply_record.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/consumer/apply_shard.hpp"
#include "relmap/schemas/cloud_event_binary.hpp"
#include "state_records.hpp"
#include "stream_end.hpp"
#include "transactional_committer.hpp"

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

}  // namespace

/// The loop of a transactional consume-transform-produce application (as librdkafka's
/// examples/transactions.c): poll, apply, and at a batch's end hand its output and input positions to
/// the committer; after an aborted transaction, restore and rewind.
class StreamAggregator::Impl {
 public:
  Impl(kafka::Config config, StreamTopics topics, StreamSettings settings, Counters& counters)
      : base_(std::move(config)), topics_(std::move(topics)), settings_(std::move(settings)), counters_(counters),
        committer_(base_, "relmap-aggregator-" + settings_.instance_id, topics_.outputs()) {
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
          append_changed_cases(topics_, item.partition, *item.aggregator, shard_outputs_[shard].records);
        }
      }));
    }
  }

  ~Impl() {
    // The consumer's close runs the revoke callback, which uses the committer: close it first.
    if (consumer_) consumer_->close();
  }

  void run(const std::atomic<bool>& stop) {
    start();
    while (!stop) {
      const bool nothing_more_to_read = consume(consumer_->poll(100ms));
      if (batch_is_due(nothing_more_to_read)) commit_batch();
      if (settings_.stop_at_end && at_end()) break;
      report_every_10s();
    }
    commit_batch();
    settle();
    leave_group();
  }

 private:
  void start() {
    expect_output_topics(base_, topics_, 30s);
    if (settings_.stop_at_end) {
      auto ends = kafka::high_watermarks(base_, topics_.events, 30s);
      if (ends.empty()) throw std::runtime_error("topic " + topics_.events + " does not exist");
      stream_end_.set_targets(std::move(ends));
    }
    consumer_->subscribe({topics_.events});
    now_ = Clock::now();
    next_report_ = now_ + 10s;
    next_end_check_ = now_;
  }

  /// Hands a record to its shard; returns whether there is nothing more to read for now.
  bool consume(kafka::Message message) {
    // Reading the clock costs as much as handing a message on: once per 64 messages is precise
    // enough for a batch's age (a fraction of a millisecond).
    if (!message || ++messages_since_now_ == 64) {
      now_ = Clock::now();
      messages_since_now_ = 0;
    }
    if (!message) return true;
    if (message.is_record()) {
      stream_end_.note_record(message.partition());
      dispatch(std::move(message));
      return false;
    }
    if (message.is_end_of_partition()) {
      stream_end_.note_end_of_partition(message.partition());
      return stream_end_.all_caught_up(owned_partitions());
    }
    log()->warn("consume: {}", message.error_text());
    return false;
  }

  /// A batch ends when full, when old enough, or as soon as there is nothing more to read: then
  /// waiting would only delay the aggregates (and, for --stop-at-end, the exit). With --stop-at-end,
  /// this instance may have read every partition to its end itself: then there is no need to wait for
  /// the consumer to report the ends.
  bool batch_is_due(bool nothing_more_to_read) const {
    return batch_messages_ > 0 && (batch_messages_ >= settings_.batch_messages || now_ - batch_started_ >= settings_.batch_time ||
                                   nothing_more_to_read || read_every_target());
  }

  bool read_every_target() const { return settings_.stop_at_end && stream_end_.read_every_target(); }

  /// The end is checked once the last transaction has settled: its offsets are then the group's.
  /// Asking the group for them, even when this instance read every end itself, waits until they are
  /// stable, that is until the transaction's markers are written: only then can a read_committed
  /// reader (`relmap map --brokers` right after) see what the run wrote. Without every end read here,
  /// the group is asked every 500 ms, between transactions.
  bool at_end() {
    if (batch_messages_ > 0 || !(read_every_target() || (now_ >= next_end_check_ && !committer_.busy()))) return false;
    next_end_check_ = now_ + 500ms;
    return settle() && reached_end();
  }

  void report_every_10s() {
    if (now_ < next_report_) return;
    drain_shards();
    log()->info("{} partition(s), {} msg/s, lag {}, {} rejected, {} transaction(s), {} abort(s), {} case(s) in memory",
                partitions_.size(), (counters_.messages - reported_messages_) / 10, lag(), counters_.rejected,
                counters_.transactions, counters_.aborts, cases_in_memory());
    reported_messages_ = counters_.messages;
    next_report_ = now_ + 10s;
  }

  /// librdkafka 2.0.2 asserts when a cooperative-sticky consumer closes before its first assignment
  /// (librdkafka #4312, fixed in 2.3.0): let the join finish first. What poll returns meanwhile is not
  /// processed, and no position is committed after it.
  void leave_group() {
    const auto join_deadline = Clock::now() + 60s;
    while (!assigned_once_ && Clock::now() < join_deadline) consumer_->poll(100ms);
    consumer_->close();
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
    auto restored = restore_partitions(base_, topics_, partitions);
    for (auto& [partition, aggregator] : restored.aggregators) {
      partitions_[partition] = std::move(aggregator);
      stream_end_.forget_caught_up(partition);  // read again from its committed offset
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    ++counters_.restores;
    counters_.restore_time += took;
    log()->info("restored {} partition(s), {} case(s), in {} ms", partitions.size(), restored.cases, took.count());
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
    stream_end_.note_read(message.partition(), message.offset());
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
    // A binary-mode CloudEvent (the Kafka binding: attributes in ce_* headers, the data alone in the
    // value), as written by Kafka Connect or an SDK, is read as its structured record.
    std::string_view record = message.value();
    thread_local std::string structured;
    if (message.header("ce_specversion")) {
      std::vector<schemas::CloudEventAttribute> attributes;
      std::string content_type;
      for (auto& [name, value] : message.headers()) {
        if (name.size() > 3 && name.starts_with("ce_")) attributes.emplace_back(name.substr(3), std::move(value));
        if (name == "content-type") content_type = std::move(value);
      }
      auto converted = schemas::structured_cloud_event(attributes, content_type, record, "ce_");
      if (!converted.has_value()) {
        dead_letter(output, message, std::string(record), schemas::to_string(schemas::DecodeErrc::invalid_cloudevent),
                    converted.error().message);
        return;
      }
      structured = std::move(converted).value();
      record = structured;
    }
    const auto outcome = aggregation::apply_record(aggregator, decoder_, record, event, late);
    if (outcome.invalid) {
      dead_letter(output, message, std::string(record), schemas::to_string(outcome.invalid->code), outcome.invalid->to_string());
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
      for (auto& [partition, aggregator] : partitions_) {
        append_expired_cases(topics_, partition, aggregator, settings_.retention, batch_.records);
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
    committer_.start(std::move(transaction));
  }

  /// Waits for the transaction in flight, if any. After a failed one, restores the state and rewinds
  /// to the committed offsets, and returns false.
  bool settle() {
    const auto outcome = committer_.settle();
    if (!outcome) return true;
    if (!outcome->committed) {
      abort_and_rewind();
      return false;
    }
    ++counters_.transactions;
    return true;
  }

  /// After an abort the in-memory state is ahead of what Kafka holds: restore it and read again from
  /// the committed offsets.
  void abort_and_rewind() {
    drain_shards();
    ++counters_.aborts;
    batch_messages_ = 0;
    stream_end_.rewound();
    batch_ = Transaction{};
    const auto partitions = owned_partitions();
    restore(partitions);
    if (partitions.empty()) return;
    std::vector<kafka::TopicPartition> owned;
    for (const auto partition : partitions) owned.push_back({topics_.events, partition});
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

  bool reached_end() {
    if (settings_.end_by_position) return stream_end_.reached(consumer_->position(stream_end_.targets()));
    const auto committed = stable_committed(stream_end_.targets());
    // Not readable yet: not the end yet either; the loop polls and asks again.
    return committed && stream_end_.reached(*committed);
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

  std::vector<std::int32_t> owned_partitions() const {
    std::vector<std::int32_t> owned;
    for (const auto& [partition, aggregator] : partitions_) owned.push_back(partition);
    return owned;
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
  std::map<std::int32_t, aggregation::Aggregator> partitions_;
  StreamEnd stream_end_;
  TransactionalCommitter committer_;  // used by the consumer's callbacks: destroyed after it
  std::unique_ptr<kafka::Consumer> consumer_;
  Transaction batch_;  ///< what the batch being read will write
  std::vector<ShardOutput> shard_outputs_;  ///< one per shard, its thread's until drained
  std::vector<std::unique_ptr<ApplyShard<ShardItem>>> shards_;  // last: their threads use the members above
  bool assigned_once_ = false;
  std::size_t batch_messages_ = 0;
  Clock::time_point batch_started_{};
  Clock::time_point next_expiry_{};  ///< the first batch's end, then every 30 s: restored idle cases leave at once
  Clock::time_point now_{};  ///< the loop's clock, read once per 64 messages
  std::uint32_t messages_since_now_ = 0;
  Clock::time_point next_report_{};
  Clock::time_point next_end_check_{};
  std::uint64_t reported_messages_ = 0;
};

StreamAggregator::StreamAggregator(kafka::Config config, StreamTopics topics, StreamSettings settings)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(topics), std::move(settings), counters_)) {}

StreamAggregator::~StreamAggregator() = default;

void StreamAggregator::run(const std::atomic<bool>& stop) { impl_->run(stop); }

}  // namespace relmap::consumer
