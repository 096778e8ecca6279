#pragma once

#include <librdkafka/rdkafka.h>

namespace relmap::kafka::detail {

/// Sends librdkafka's logs and error events to the "kafka" logger instead of stderr.
void route_logs(rd_kafka_conf_t* conf);

}  // namespace relmap::kafka::detail
