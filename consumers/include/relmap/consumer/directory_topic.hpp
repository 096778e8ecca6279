#pragma once
// The department directory's compacted topic (`relmap.departments`): key = department id, value =
// {"name", "unit", "customer_facing"}; a tombstone removes a department.

#include <string>

#include "relmap/graph/directory.hpp"
#include "relmap/kafka/config.hpp"

namespace relmap::consumer {

/// The directory in `topic`; empty when the topic does not exist. Unreadable values are skipped
/// with a warning.
graph::Directory read_directory(const kafka::Config& config, const std::string& topic);

/// Writes every entry to `topic` (idempotent producer) and waits until all are acknowledged;
/// throws KafkaException otherwise. Entries already there are replaced (compaction keeps the latest).
void publish_directory(const kafka::Config& config, const std::string& topic, const graph::Directory& directory);

}  // namespace relmap::consumer
