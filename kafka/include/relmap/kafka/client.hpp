#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "relmap/kafka/config.hpp"
#include "relmap/kafka/error.hpp"
#include "relmap/kafka/handles.hpp"
#include "relmap/kafka/message.hpp"

namespace relmap::kafka {

using std::chrono::milliseconds;

/// Receives librdkafka's statistics JSON (set `statistics.interval.ms` to enable): per partition
/// `consumer_lag`, `committed_offset`, `hi_offset`, `ls_offset`, and the client totals.
using StatsHandler = std::function<void(std::string_view json)>;

/// What a delivery report says about one produced message.
struct Delivery {
  std::error_code error;  ///< empty when the broker acknowledged the message
  std::string topic;
  std::int32_t partition = kAnyPartition;
  std::int64_t offset = kOffsetInvalid;
  void* opaque = nullptr;  ///< what was passed to produce()
};
using DeliveryHandler = std::function<void(const Delivery&)>;

/// A message of Producer::produce_batch(), partitioned by its key unless `partition` names one.
struct KeyedMessage {
  std::string_view key;
  std::string_view value;  ///< empty: a tombstone (null)
  void* opaque = nullptr;  ///< returned in its delivery report
  std::int32_t partition = kAnyPartition;
};

/// A producer, idempotent by default, optionally transactional (set `transactional.id`).
///
/// Lifecycle: the destructor flushes nothing; call flush() first to wait for outstanding messages.
/// Threading: produce() and poll() may be called from any thread; the delivery and statistics
/// handlers run inside poll()/flush() on the calling thread and must not throw (exceptions are
/// caught and logged: none crosses librdkafka's C callbacks).
class Producer {
 public:
  /// Without `on_delivery` librdkafka makes no delivery reports: a message is freed once acknowledged.
  explicit Producer(Config config, DeliveryHandler on_delivery = {}, StatsHandler on_stats = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  /// Enqueues a message; waits (serving delivery reports) while the local queue is full.
  /// `partition` kAnyPartition lets the partitioner choose from the key. An empty `value` is
  /// sent as null: a tombstone, which removes the key from a compacted topic.
  std::error_code produce(std::string_view topic, std::string_view key, std::string_view value,
                          const Headers& headers = {}, void* opaque = nullptr,
                          std::int32_t partition = kAnyPartition);
  /// The same for messages to one topic, in order, with one call into librdkafka for them all (one
  /// topic lookup and lock, one clock reading) rather than one each. Returns the first error other
  /// than a full queue, and sets `refused` to how many messages librdkafka did not take (for one
  /// message it cannot take, librdkafka 2.0.2 may refuse the rest of the call's messages too).
  std::error_code produce_batch(std::string_view topic, std::span<const KeyedMessage> messages,
                                std::size_t* refused = nullptr);
  /// Serves delivery reports and statistics; returns the number of events served.
  int poll(milliseconds timeout);
  /// Waits until every enqueued message is delivered or failed.
  std::error_code flush(milliseconds timeout);
  /// Messages enqueued and not yet reported.
  int outstanding() const;
  /// Fetches the topics' partitions now. Otherwise the first message to a topic waits for librdkafka
  /// to look it up (seen taking 600 ms, which a transaction's first commit then waits out).
  std::error_code learn_topics(const std::vector<std::string>& topics, milliseconds timeout);

  KafkaError init_transactions(milliseconds timeout);
  KafkaError begin_transaction();
  KafkaError send_offsets_to_transaction(const std::vector<TopicPartition>& offsets,
                                         const rd_kafka_consumer_group_metadata_s& group, milliseconds timeout);
  KafkaError commit_transaction(milliseconds timeout);
  KafkaError abort_transaction(milliseconds timeout);

  /// The fatal error of an idempotent or transactional producer, if one was raised.
  KafkaError fatal_error() const;
  /// The value librdkafka's client runs with (relmap's defaults and librdkafka's included), if
  /// `name` is a property.
  std::optional<std::string> property(const std::string& name) const;

  struct Callbacks;  ///< implementation detail, reached from librdkafka's C callbacks

 private:
  /// The handle of a topic written to, made once: a message given by topic name has librdkafka look
  /// the topic up under its client lock (a fifth of `relmap produce`'s CPU time went to that).
  rd_kafka_topic_s* topic_handle(std::string_view topic);

  std::unique_ptr<Callbacks> callbacks_;  // referenced by handle_: declared first, destroyed last
  ClientHandle handle_;
  std::mutex topics_mutex_;
  std::map<std::string, TopicHandle, std::less<>> topics_;  // destroyed before handle_
};

/// Called synchronously inside Consumer::poll() when partitions are assigned or revoked.
/// `on_revoked` runs before the partitions are released (commit or flush state there);
/// `lost` is true when the group lost them (session timeout), so they must not be committed.
/// What a handler throws is rethrown by that poll(), after librdkafka has finished the rebalance
/// step (inside close(), it is logged).
struct RebalanceListener {
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
  std::function<void(const std::vector<TopicPartition>&, bool lost)> on_revoked;
};

/// A high-level (consumer-group) consumer.
///
/// Rebalances are handled for both the EAGER and the COOPERATIVE protocol (`incremental_assign`
/// when `rebalance_protocol()` is COOPERATIVE); the listener is told before revoke and after assign.
/// Lifecycle: close() commits (if auto-commit is on) and leaves the group; the destructor closes.
/// Threading: one thread polls; the handlers run on it, inside poll().
/// The version of librdkafka in use (it may be newer than the one relmap was built against).
std::string version();

/// A partition's low and high watermarks (the first offset it holds, the offset its next record gets).
struct Watermarks {
  std::error_code error;
  std::int64_t low = 0;
  std::int64_t high = 0;
};

class Consumer {
 public:
  explicit Consumer(Config config, RebalanceListener listener = {}, StatsHandler on_stats = {});
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  void subscribe(const std::vector<std::string>& topics);
  /// Reads the given partitions from the given offsets, outside any group (kOffsetBeginning...).
  void assign(const std::vector<TopicPartition>& partitions);
  /// The next record, end of partition or error; an empty Message on timeout.
  Message poll(milliseconds timeout);
  /// Commits the given offsets (the next offset to read), or the current positions when empty.
  std::error_code commit(const std::vector<TopicPartition>& offsets = {});
  std::vector<TopicPartition> committed(const std::vector<TopicPartition>& partitions, milliseconds timeout) const;
  std::vector<TopicPartition> assignment() const;
  /// The next offset to read of each given partition.
  std::vector<TopicPartition> position(const std::vector<TopicPartition>& partitions) const;
  /// Moves the next read of each partition to its offset (after an aborted transaction).
  std::error_code seek(const std::vector<TopicPartition>& offsets, milliseconds timeout);
  GroupMetadataPtr group_metadata() const;
  std::string rebalance_protocol() const;
  std::string member_id() const;
  /// Asks the partition's leader; a topic created a moment ago can answer "not leader" for a few
  /// milliseconds: that is asked again until `timeout`.
  Watermarks watermarks(const std::string& topic, std::int32_t partition, milliseconds timeout) const;
  /// What the last fetch told about the partition, without asking: none before its first fetch.
  std::optional<Watermarks> last_known_watermarks(const std::string& topic, std::int32_t partition) const;
  void close();

  struct Callbacks;  ///< implementation detail, reached from librdkafka's C callbacks

 private:
  std::unique_ptr<Callbacks> callbacks_;  // referenced by handle_: declared first, destroyed last
  ClientHandle handle_;
  bool closed_ = false;
};

/// A topic to create.
struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::vector<std::pair<std::string, std::string>> configs;  ///< e.g. {"cleanup.policy", "compact"}
};

/// Creates topics; topics that already exist count as created (idempotent). Returns once the broker
/// serves every one of them in metadata. Throws KafkaException.
void create_topics(const Config& config, const std::vector<NewTopic>& topics, milliseconds timeout);

/// Deletes topics and all their records; topics that do not exist count as deleted (idempotent).
/// Returns once the broker's metadata shows none of them (it removes their files in the background).
/// Throws KafkaException.
void delete_topics(const Config& config, const std::vector<std::string>& topics, milliseconds timeout);

/// How many brokers the cluster has (as its metadata lists them). Throws KafkaException.
int broker_count(const Config& config, milliseconds timeout);

/// The number of partitions of `topic`; 0 when the topic does not exist. Throws KafkaException.
int partition_count(const Config& config, const std::string& topic, milliseconds timeout);
/// The same for several topics, in their order, through one client (one connection).
std::vector<int> partition_counts(const Config& config, const std::vector<std::string>& topics, milliseconds timeout);

/// The high watermark of every partition of `topic`, as TopicPartition offsets: the offset the next
/// produced message will get.
std::vector<TopicPartition> high_watermarks(const Config& config, const std::string& topic, milliseconds timeout);

/// Deletes the records before each partition's offset (DeleteRecords): its first offset moves there.
/// Throws KafkaException.
void delete_records(const Config& config, const std::vector<TopicPartition>& before, milliseconds timeout);

}  // namespace relmap::kafka
