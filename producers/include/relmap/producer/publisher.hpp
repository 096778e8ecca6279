#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "relmap/common/result.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/kafka/topology.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::producer {

/// Where relmap's events go. Names are configuration.
struct Topics {
  std::string events = kafka::topology::kEventsTopic;
  std::string dead_letter = kafka::topology::kDeadLetterTopic;
};

/// Where a record came from, for the dead-letter headers and error messages.
struct RecordOrigin {
  std::string source;  ///< file name, "-" for stdin, "http" for ingest
  std::uint64_t line = 0;
};

/// The most of a rejected record a dead letter keeps: far more than any event may have, and far
/// less than the broker's message limit (1 MB by default), so that the dead letter of any record
/// can be stored.
inline constexpr std::size_t kMaxDeadLetterBytes = 4 * schemas::kMaxEventBytes;

struct PublishCounts {
  std::uint64_t sent = 0;          ///< valid events handed to the producer
  std::uint64_t rejected = 0;      ///< invalid records (sent to the dead-letter topic)
  std::uint64_t acknowledged = 0;  ///< messages (events and dead letters) the broker acknowledged
  std::uint64_t failed = 0;        ///< messages that could not be delivered
};

/// How a valid event is written to the events topic.
struct PublishSettings {
  /// Key of the HMAC that replaces `actor` (people are never stored in clear). Without a key the
  /// actor is dropped.
  std::optional<std::string> actor_key;
  /// Records whose time is outside are rejected (implausible_time).
  schemas::TimeBounds time_bounds{};
};

/// What stands for a person in what relmap stores: the keyed hash, or nothing without a key.
std::optional<std::string> actor_pseudonym(const PublishSettings& settings, std::string_view actor);

/// A rejected record as relmap keeps it (in the dead-letter topic, in --rejects): its bytes, with
/// every `actor` member, of the record or of its CloudEvent data, replaced by actor_pseudonym() or
/// removed; nullopt when the record names an actor but is not JSON that could be rewritten, so
/// that its bytes cannot be kept without the person in clear.
std::optional<std::string> rejected_record_value(std::string_view record, const PublishSettings& settings);

/// Called once per message when the broker acknowledged it (empty error) or gave up on it.
using DeliveryCallback = std::function<void(std::error_code)>;

/// Records checked on one thread (EventPublisher::check_into) for another to enqueue
/// (EventPublisher::send): what each becomes, an event or a dead letter, with its key and value
/// copied in, so that the buffer the records were read from can be reused meanwhile.
class CheckedBatch {
 public:
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  friend class EventPublisher;
  struct Entry {
    bool dead_letter;
    std::size_t key_at;
    std::size_t key_size;
    std::size_t value_size;  ///< the value follows the key in `bytes_`
    kafka::Headers headers;  ///< a dead letter's reasons
  };
  void add(bool dead_letter, std::string_view key, std::string_view value, kafka::Headers headers) {
    entries_.push_back({dead_letter, bytes_.size(), key.size(), value.size(), std::move(headers)});
    bytes_.append(key).append(value);
  }

  std::string bytes_;
  std::vector<Entry> entries_;
};

/// Decodes records and publishes them: valid events to the events topic keyed by case_id (so one
/// case stays in one partition, in order), as they were written (unknown members kept for newer
/// readers: the contract ignores them, it does not remove them), except CloudEvents (mapped, so the
/// topic holds native events only) and events naming an actor, which is never stored in clear: those
/// are published in canonical form, the actor replaced by its keyed hash. Invalid ones go with
/// their original bytes to the dead-letter topic with the reason in headers. Nothing is dropped
/// silently.
///
/// The producer is idempotent; delivery reports are counted. Threading: publish() may be called
/// from several threads; delivery reports are served by flush() and serve_deliveries(), which one
/// thread at a time calls. Lifecycle: flush() before reading final counts.
class EventPublisher {
 public:
  EventPublisher(kafka::Config config, Topics topics, PublishSettings settings = {});

  /// Checks and enqueues one record; returns the event's id or why it was rejected.
  /// `on_delivered`, if given, is told the fate of the message (the event, or the dead letter).
  /// Throws KafkaException only when the producer itself fails (not for a bad record).
  Result<std::string, schemas::DecodeError> publish(std::string_view record, const RecordOrigin& origin,
                                                    DeliveryCallback on_delivered = {});

  /// What publish() does, split in two for two threads: check_into() judges a record into `batch`
  /// (any thread) and returns why it is invalid, if it is; send() enqueues a batch in order.
  std::optional<schemas::DecodeError> check_into(std::string_view record, const RecordOrigin& origin,
                                                 CheckedBatch& batch) const;
  void send(const CheckedBatch& batch);  ///< one thread at a time

  /// Waits for every delivery report; true when all messages were acknowledged.
  bool flush(std::chrono::milliseconds timeout);
  /// Serves delivery reports for up to `timeout` (for a thread that does only that).
  void serve_deliveries(std::chrono::milliseconds timeout);

  PublishCounts counts() const;
  const Topics& topics() const { return topics_; }

  /// What is published instead of a valid record's own bytes: its canonical JSON (actor hashed, or
  /// dropped without a key) when it names an actor or was a CloudEvent; nullopt when the record is
  /// published as it is.
  std::optional<std::string> rewritten_value(const schemas::Event& event) const;
  /// The canonical JSON of a valid event with the actor hashed or dropped.
  std::string canonical_value(schemas::Event event) const;

 private:
  /// What a record becomes: `deliver(dead_letter, key, value, headers, event_id)` is called once.
  template <typename Deliver>
  std::optional<schemas::DecodeError> route(std::string_view record, const RecordOrigin& origin, Deliver&& deliver) const;
  void enqueue(const std::string& topic, std::string_view key, std::string_view value, const kafka::Headers& headers,
               DeliveryCallback on_delivered);
  /// Counts the messages librdkafka refused as failed (each was counted as sent or rejected before
  /// it was handed over) and throws why.
  [[noreturn]] void enqueue_failed(const std::string& topic, std::error_code error, std::uint64_t refused = 1);

  Topics topics_;
  PublishSettings settings_;
  schemas::Decoder decoder_{settings_.time_bounds};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> acknowledged_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::vector<kafka::KeyedMessage> events_to_send_;  ///< send()'s, reused
  kafka::Producer producer_;  // its delivery handler updates the counters above: declared after them
};

/// The message key of a valid event: its case_id, or its event_id for an andon without a case.
std::string_view message_key(const schemas::Event& event);

/// The first of the topics (events, then dead letters) that does not exist, if any: without both,
/// some record cannot be delivered. Throws kafka::KafkaException when the brokers do not answer
/// within `timeout`.
std::optional<std::string> first_missing_topic(const kafka::Config& config, const Topics& topics,
                                               std::chrono::milliseconds timeout);

namespace detail {
/// A line as for_each_jsonl_record hands it out: without a trailing '\r'; nullopt when blank.
inline std::optional<std::string_view> jsonl_record(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return std::nullopt;
  return line;
}
}  // namespace detail

/// Calls `on_record(bytes, line_number)` for every non-blank line of a JSONL stream (a trailing
/// '\r' is removed). Lines are numbered from 1. Each line is handed out as soon as it is read (for
/// a pipe that stays open).
template <typename Stream, typename Handler>
void for_each_jsonl_record(Stream& in, Handler&& on_record) {
  std::string line;
  for (std::uint64_t number = 1; std::getline(in, line); ++number) {
    if (const auto record = detail::jsonl_record(line)) on_record(*record, number);
  }
}

/// The same for a file, read in blocks of `block_bytes` and handed out in place: std::getline's copy
/// of each line was a twentieth of `relmap produce`'s time. A line longer than a block grows it.
template <typename Handler>
void for_each_jsonl_record_in_blocks(std::istream& in, Handler&& on_record, std::size_t block_bytes = 1 << 20) {
  std::vector<char> buffer(std::max<std::size_t>(block_bytes, 1));
  std::size_t held = 0;  // the start of a line not yet ended, at the buffer's start
  std::uint64_t number = 0;
  for (;;) {
    if (held == buffer.size()) buffer.resize(buffer.size() * 2);
    in.read(buffer.data() + held, static_cast<std::streamsize>(buffer.size() - held));
    const std::size_t size = held + static_cast<std::size_t>(in.gcount());
    if (size == held) break;
    std::size_t start = 0;
    while (const void* newline = std::memchr(buffer.data() + start, '\n', size - start)) {
      const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(newline) - buffer.data());
      ++number;
      if (const auto record = detail::jsonl_record({buffer.data() + start, end - start})) on_record(*record, number);
      start = end + 1;
    }
    held = size - start;
    std::memmove(buffer.data(), buffer.data() + start, held);
  }
  if (held > 0) {
    if (const auto record = detail::jsonl_record({buffer.data(), held})) on_record(*record, number + 1);
  }
}

}  // namespace relmap::producer
