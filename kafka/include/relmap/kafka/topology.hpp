#pragma once
// relmap's topics and the headers of its dead letters: the names other tools read (kcat, Kafka Connect,
// the contract's integrations), defined once for producers, consumers and apps. Topic names are
// configuration (flags, the configuration file); these are the defaults.

namespace relmap::kafka::topology {

inline constexpr const char* kEventsTopic = "relmap.events";
inline constexpr const char* kDeadLetterTopic = "relmap.events.dlq";
/// Compacted, as many partitions as the events topic: partition p holds input partition p's case states.
inline constexpr const char* kChangelogTopic = "relmap.state";
/// Compacted, partitioned as the changelog: partition totals and the facts of cases that left memory.
inline constexpr const char* kAggregatesTopic = "relmap.aggregates";
/// Andon pulls and dead-end alerts, as JSON, each once.
inline constexpr const char* kAlertsTopic = "relmap.alerts";
/// Alerts a webhook refused for good or did not take after every retry, with the reason.
inline constexpr const char* kAlertsDeadLetterTopic = "relmap.alerts.dlq";
/// The department directory (compacted, keyed by department id).
inline constexpr const char* kDepartmentsTopic = "relmap.departments";

/// Dead-letter headers: why a record was rejected and where it came from.
inline constexpr const char* kReasonHeader = "relmap.reason";
inline constexpr const char* kReasonCodeHeader = "relmap.reason_code";
inline constexpr const char* kSourceHeader = "relmap.source";  ///< file, "http", or topic:partition:offset
inline constexpr const char* kLineHeader = "relmap.line";
/// On a dead letter cut short: how many bytes the record had.
inline constexpr const char* kTruncatedFromHeader = "relmap.truncated_from";
/// On a dead letter whose bytes were left out: why (they would have named a person in clear).
inline constexpr const char* kWithheldHeader = "relmap.withheld";
/// On an alert's dead letter: the webhook (by name) that did not take it, and the alert's idempotency key.
inline constexpr const char* kWebhookHeader = "relmap.webhook";
inline constexpr const char* kIdempotencyKeyHeader = "relmap.idempotency_key";

}  // namespace relmap::kafka::topology
