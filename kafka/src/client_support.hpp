#pragma once
// What the producer, the consumer and the admin requests share: their logger, configuration, client
// creation and the guard that keeps exceptions out of librdkafka's C callbacks. Private to kafka/.

#include <chrono>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <librdkafka/rdkafka.h>

#include "relmap/common/logging.hpp"
#include "relmap/kafka/config.hpp"
#include "c_api.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::kafka::detail {

using milliseconds = std::chrono::milliseconds;

const std::shared_ptr<spdlog::logger>& log();

inline int timeout_ms(milliseconds timeout) { return static_cast<int>(timeout.count()); }

/// A message's value for librdkafka: an empty one as null, which a compacted topic takes for a
/// tombstone (librdkafka sends a non-null pointer with length 0 as an empty value, kept forever).
inline char* payload_or_null(std::string_view value) { return value.empty() ? nullptr : const_cast<char*>(value.data()); }

using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, decltype(&rd_kafka_metadata_destroy)>;

/// One topic's metadata through `client`, which also caches it; null with the error on failure.
MetadataPtr topic_metadata(rd_kafka_t* client, const std::string& topic, milliseconds timeout, rd_kafka_resp_err_t& error);

/// Runs a user handler from inside a librdkafka C callback: no exception may cross into C.
template <typename Function>
void guarded(const char* what, Function&& function) noexcept {
  try {
    function();
  } catch (const std::exception& error) {
    log()->error("{} handler threw: {}", what, error.what());
  } catch (...) {
    log()->error("{} handler threw a non-standard exception", what);
  }
}

/// Sends librdkafka's logs and error events to the "kafka" logger instead of stderr.
void route_logs(rd_kafka_conf_t* conf);

/// Builds the rd_kafka_conf_t from the pass-through properties; librdkafka names a bad property.
ConfPtr make_conf(const Config& config, void* opaque);

/// The client takes `conf` over.
ClientHandle make_client(rd_kafka_type_t type, ConfPtr conf);

/// A partition's first offset and the offset its next message will get, asked of its leader through
/// `client`. A topic created a moment ago can answer "not leader" for a few milliseconds: that is
/// asked again until `timeout`.
Watermarks query_watermarks(rd_kafka_t* client, const std::string& topic, std::int32_t partition, milliseconds timeout);

template <typename Callbacks>
int stats_callback(rd_kafka_t*, char* json, std::size_t length, void* opaque) {
  auto* callbacks = static_cast<Callbacks*>(opaque);
  if (callbacks->on_stats) guarded("statistics", [&] { callbacks->on_stats(std::string_view{json, length}); });
  return 0;  // librdkafka frees json
}

}  // namespace relmap::kafka::detail
