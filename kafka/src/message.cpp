#include "relmap/kafka/message.hpp"

#include "c_api.hpp"

namespace relmap::kafka {

bool Message::is_record() const { return message_->err == RD_KAFKA_RESP_ERR_NO_ERROR; }

bool Message::is_end_of_partition() const { return message_->err == RD_KAFKA_RESP_ERR__PARTITION_EOF; }

std::error_code Message::error() const {
  return is_record() || is_end_of_partition() ? std::error_code{} : make_error_code(message_->err);
}

std::string Message::error_text() const { return rd_kafka_message_errstr(message_.get()); }

std::int32_t Message::partition() const { return message_->partition; }

std::int64_t Message::offset() const { return message_->offset; }

std::string_view Message::key() const { return kafka::key(*message_); }

std::string_view Message::value() const { return payload(*message_); }

bool Message::has_null_value() const { return message_->payload == nullptr; }

std::optional<std::string> Message::header(const char* name) const { return kafka::header(*message_, name); }

std::vector<std::pair<std::string, std::string>> Message::headers() const {
  std::vector<std::pair<std::string, std::string>> all;
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message_.get(), &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return all;
  const char* name = nullptr;
  const void* value = nullptr;
  std::size_t size = 0;
  for (std::size_t index = 0; rd_kafka_header_get_all(headers, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++index) {
    all.emplace_back(name, std::string(static_cast<const char*>(value), value != nullptr ? size : 0));
  }
  return all;
}

}  // namespace relmap::kafka
