#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

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

/// Decodes records and publishes them: valid events to the events topic keyed by case_id (so one
/// case stays in one partition, in order), invalid ones with their original bytes to the
/// dead-letter topic with the reason in headers. Nothing is dropped silently.
///
/// The producer is idempotent; delivery reports are counted. Lifecycle: call flush() before
/// reading final counts. Threading: one thread publishes and flushes.
class EventPublisher {
 public:
  EventPublisher(kafka::Config config, Topics topics);

  /// Decodes and enqueues one record; returns the decoded event or why it was rejected.
  /// Throws KafkaException only when the producer itself fails (not for a bad record).
  Result<schemas::Event, schemas::DecodeError> publish(std::string_view record, const RecordOrigin& origin);

  /// Waits for every delivery report; true when all messages were acknowledged.
  bool flush(std::chrono::milliseconds timeout);

  PublishCounts counts() const;
  const Topics& topics() const { return topics_; }

 private:
  void enqueue(const std::string& topic, std::string_view key, std::string_view value, const kafka::Headers& headers);

  Topics topics_;
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
