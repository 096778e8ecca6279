#include "client_support.hpp"

#include <cstring>


namespace relmap::kafka {

std::string version() { return rd_kafka_version_str(); }

namespace detail {
namespace {

void log_callback(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // A command gives all its clients the same properties (its -X list): that a producer ignores a
  // consumer's property, or the reverse, is expected.
  const bool other_clients_property =
      std::strcmp(facility, "CONFWARN") == 0 && std::strstr(message, " property and will be ignored by this ") != nullptr;
  if (other_clients_property) level = 7;
  // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug.
  const auto spd_level = level <= 3   ? spdlog::level::err
                         : level == 4 ? spdlog::level::warn
                         : level <= 6 ? spdlog::level::info
                                      : spdlog::level::debug;
  log()->log(spd_level, "librdkafka {}: {}", facility, message);
}

void error_callback(rd_kafka_t*, int code, const char* reason, void*) {
  const auto error = static_cast<rd_kafka_resp_err_t>(code);
  // Transport errors while a broker restarts are expected and retried by librdkafka itself.
  const bool transient = error == RD_KAFKA_RESP_ERR__TRANSPORT || error == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN;
  log()->log(transient ? spdlog::level::info : spdlog::level::warn, "{} ({})", reason, rd_kafka_err2name(error));
}

}  // namespace

const std::shared_ptr<spdlog::logger>& log() {
  static const auto logger = relmap::logger("kafka");
  return logger;
}

MetadataPtr topic_metadata(rd_kafka_t* client, const std::string& topic, milliseconds timeout, rd_kafka_resp_err_t& error) {
  const TopicHandle handle{rd_kafka_topic_new(client, topic.c_str(), nullptr)};
  const rd_kafka_metadata_t* metadata = nullptr;
  error = rd_kafka_metadata(client, 0, handle.get(), &metadata, timeout_ms(timeout));
  return {error == RD_KAFKA_RESP_ERR_NO_ERROR ? metadata : nullptr, &rd_kafka_metadata_destroy};
}

void route_logs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, log_callback);
  rd_kafka_conf_set_error_cb(conf, error_callback);
}

ConfPtr make_conf(const Config& config, void* opaque) {
  ConfPtr conf{rd_kafka_conf_new()};
  char reason[512];
  for (const auto& [key, value] : config.properties()) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), reason, sizeof reason) != RD_KAFKA_CONF_OK) {
      throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                           "Kafka property " + printable_property(key, value) + ": " + reason);
    }
  }
  rd_kafka_conf_set_opaque(conf.get(), opaque);
  route_logs(conf.get());
  return conf;
}

ClientHandle make_client(rd_kafka_type_t type, ConfPtr conf) {
  char reason[512];
  // rd_kafka_new takes the conf over on success only.
  rd_kafka_t* handle = rd_kafka_new(type, conf.get(), reason, sizeof reason);
  if (handle == nullptr) {
    throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG),
                         std::string("cannot create Kafka client: ") + reason);
  }
  (void)conf.release();
  return ClientHandle{handle};
}

}  // namespace detail
}  // namespace relmap::kafka
