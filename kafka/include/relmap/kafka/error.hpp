#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

struct rd_kafka_error_s;

namespace relmap::kafka {

/// librdkafka's error codes (rd_kafka_resp_err_t) as a std::error_category, named "kafka".
const std::error_category& kafka_category();
/// librdkafka's local time-out (the request did not complete in time; it may still later).
bool is_timed_out(std::error_code code);

/// An rd_kafka_error_t (owned) with the classification the transactional API needs.
/// A default-constructed KafkaError means "no error".
class KafkaError {
 public:
  KafkaError() = default;
  /// Takes ownership of `error` (may be null).
  explicit KafkaError(rd_kafka_error_s* error) : error_(error) {}
  /// A plain error code with a message (no rd_kafka_error_t behind it).
  KafkaError(std::error_code code, std::string message) : code_(code), message_(std::move(message)) {}

  explicit operator bool() const { return error_ != nullptr || code_; }
  std::error_code code() const;
  std::string message() const;
  bool is_fatal() const;
  bool is_retriable() const;
  bool transaction_requires_abort() const;

 private:
  struct Deleter {
    void operator()(rd_kafka_error_s* error) const;
  };
  std::unique_ptr<rd_kafka_error_s, Deleter> error_;
  std::error_code code_;
  std::string message_;
};

/// Thrown for set-up failures (bad configuration, a client that cannot be created) and by the
/// convenience calls that have no better way to report.
class KafkaException : public std::system_error {
 public:
  KafkaException(std::error_code code, const std::string& what) : std::system_error(code, what) {}
  explicit KafkaException(const KafkaError& error)
      : std::system_error(error.code(), error.message()), fatal_(error.is_fatal()) {}
  bool is_fatal() const { return fatal_; }

 private:
  bool fatal_ = false;
};

/// Throws KafkaException when `error` holds an error; `context` prefixes the message.
void throw_on_error(const KafkaError& error, const std::string& context);

}  // namespace relmap::kafka
