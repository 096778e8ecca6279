#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "relmap/common/result.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::producer {

/// Where relmap's events go. Names are configuration.
struct Topics {
  std::string events = "relmap.events";
  std::string dead_letter = "relmap.events.dlq";
};

/// Where a record came from, for the dead-letter headers and error messages.
struct RecordOrigin {
  std::string source;  ///< file name, "-" for stdin, "http" for ingest
  std::uint64_t line = 0;
};

/// Dead-letter headers (the reason a record was rejected and where it came from).
inline constexpr const char* kReasonHeader = "relmap.reason";
inline constexpr const char* kReasonCodeHeader = "relmap.reason_code";
inline constexpr const char* kSourceHeader = "relmap.source";
inline constexpr const char* kLineHeader = "relmap.line";

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
};

/// Called once per message when the broker acknowledged it (empty error) or gave up on it.
using DeliveryCallback = std::function<void(std::error_code)>;

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

  /// Decodes and enqueues one record; returns the decoded event or why it was rejected.
  /// `on_delivered`, if given, is told the fate of the message (the event, or the dead letter).
  /// Throws KafkaException only when the producer itself fails (not for a bad record).
  Result<schemas::Event, schemas::DecodeError> publish(std::string_view record, const RecordOrigin& origin,
                                                       DeliveryCallback on_delivered = {});

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
  void enqueue(const std::string& topic, std::string_view key, std::string_view value, const kafka::Headers& headers,
               DeliveryCallback on_delivered);

  Topics topics_;
  PublishSettings settings_;
  schemas::Decoder decoder_;
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> acknowledged_{0};
  std::atomic<std::uint64_t> failed_{0};
  kafka::Producer producer_;  // its delivery handler updates the counters above: declared after them
};

/// The message key of a valid event: its case_id, or its event_id for an andon without a case.
std::string_view message_key(const schemas::Event& event);

/// Calls `on_record(bytes, line_number)` for every non-blank line of a JSONL stream (a trailing
/// '\r' is removed). Lines are numbered from 1.
template <typename Stream, typename Handler>
void for_each_jsonl_record(Stream& in, Handler&& on_record) {
  std::string line;
  for (std::uint64_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    on_record(std::string_view{line}, number);
  }
}

}  // namespace relmap::producer
