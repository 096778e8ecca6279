#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "relmap/producer/input.hpp"
#include "relmap/producer/publisher.hpp"

namespace relmap::producer {

/// Where the records come from: calls its argument for every record.
using RecordSource = std::function<void(const RecordHandler&)>;
/// Told, on the checking thread, of each invalid record (it is sent to the dead-letter topic too).
using RejectedHandler = std::function<void(std::uint64_t line, const schemas::DecodeError& error, std::string_view record)>;

/// Publishes every record of `source` as EventPublisher::publish() would, in the same order, on two
/// threads: the calling thread reads and checks, a second one enqueues into librdkafka and serves
/// the delivery reports. Either alone had kept one core busy while the other waited. Batches of
/// 1,024 records pass between them, at most 8 waiting: reading stays that close to Kafka.
/// `after_each_batch` runs on the sending thread after each batch is enqueued (progress).
/// Throws what either thread threw, after the other stopped; flush() is the caller's.
void publish_pipelined(EventPublisher& publisher, const RecordSource& source, const std::string& origin,
                       const RejectedHandler& on_rejected, const std::function<void()>& after_each_batch);

}  // namespace relmap::producer
