#include "c_api.hpp"

namespace relmap::kafka {
namespace {

class KafkaCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int code) const override { return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code)); }
};

}  // namespace

const std::error_category& kafka_category() {
  static const KafkaCategory category;
  return category;
}

bool is_timed_out(std::error_code code) { return code == make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT); }

bool KafkaError::is_fatal() const { return error_ && rd_kafka_error_is_fatal(error_.get()); }
bool KafkaError::is_retriable() const { return error_ && rd_kafka_error_is_retriable(error_.get()); }
bool KafkaError::transaction_requires_abort() const { return error_ && rd_kafka_error_txn_requires_abort(error_.get()); }
void KafkaError::Deleter::operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }

std::error_code KafkaError::code() const {
  if (error_) return make_error_code(rd_kafka_error_code(error_.get()));
  return code_;
}

std::string KafkaError::message() const {
  if (error_) return rd_kafka_error_string(error_.get());
  return message_.empty() ? code_.message() : message_;
}

void throw_on_error(const KafkaError& error, const std::string& context) {
  if (!error) return;
  throw KafkaException(error.code(), context + ": " + error.message());
}

}  // namespace relmap::kafka

std::error_code make_error_code(rd_kafka_resp_err_t code) {
  return {static_cast<int>(code), relmap::kafka::kafka_category()};
}
