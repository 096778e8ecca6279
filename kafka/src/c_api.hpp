#pragma once
// librdkafka's C API as kafka/ uses it: its error codes as std::error_code, partition lists and
// message views. Private to kafka/ (and its own tests): no other module includes rdkafka.h.

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "relmap/kafka/error.hpp"
#include "relmap/kafka/handles.hpp"

namespace std {
template <>
struct is_error_code_enum<rd_kafka_resp_err_t> : true_type {};
}  // namespace std

/// Found by argument-dependent lookup for rd_kafka_resp_err_t, which lives in the global namespace.
std::error_code make_error_code(rd_kafka_resp_err_t code);

namespace relmap::kafka {

static_assert(kAnyPartition == RD_KAFKA_PARTITION_UA);
static_assert(kOffsetBeginning == RD_KAFKA_OFFSET_BEGINNING);
static_assert(kOffsetInvalid == RD_KAFKA_OFFSET_INVALID);

PartitionListPtr to_partition_list(const std::vector<TopicPartition>& partitions);
std::vector<TopicPartition> from_partition_list(const rd_kafka_topic_partition_list_t* list);

/// Read-only views of a consumed message.
std::string_view payload(const rd_kafka_message_t& message);
std::string_view key(const rd_kafka_message_t& message);
/// The last value of header `name`, if the message carries it.
std::optional<std::string> header(const rd_kafka_message_t& message, const char* name);

}  // namespace relmap::kafka
