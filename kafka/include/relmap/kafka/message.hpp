#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <system_error>

#include "relmap/kafka/handles.hpp"

namespace relmap::kafka {

/// A consumed message, owned and movable (as cppkafka's Message): what a poll gave, or nothing. A
/// message is a record, the end of a partition (enable.partition.eof) or a consume error.
class Message {
 public:
  Message() = default;
  explicit Message(MessagePtr message) : message_(std::move(message)) {}

  /// Whether the poll gave anything at all.
  explicit operator bool() const { return message_ != nullptr; }
  /// A record: neither the end of a partition nor an error.
  bool is_record() const;
  bool is_end_of_partition() const;
  /// The consume error, if any (the end of a partition is none).
  std::error_code error() const;
  /// librdkafka's text for the error.
  std::string error_text() const;

  std::int32_t partition() const;
  std::int64_t offset() const;
  std::string_view key() const;
  std::string_view value() const;
  /// A record whose value is null, not empty: a tombstone in a compacted topic.
  bool has_null_value() const;
  /// The last value of header `name`, if the record carries it.
  std::optional<std::string> header(const char* name) const;
  /// Every header, in the record's order (a name may repeat).
  std::vector<std::pair<std::string, std::string>> headers() const;

 private:
  MessagePtr message_;
};

}  // namespace relmap::kafka
