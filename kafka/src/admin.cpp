#include "relmap/kafka/client.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <utility>

#include "client_support.hpp"

namespace relmap::kafka {

using namespace std::chrono_literals;
using namespace detail;

namespace {

/// A short-lived client for admin and metadata requests.
ClientHandle admin_client(const Config& config) {
  return make_client(RD_KAFKA_PRODUCER, make_conf(config, nullptr));
}

using AdminEvent = std::unique_ptr<rd_kafka_event_t, HandleDeleter>;

/// Sends one topic admin request (`send` calls librdkafka's with the options and the result queue)
/// and waits for its result; throws when the request as a whole failed.
template <typename Send>
AdminEvent run_topic_admin_request(std::string_view what, rd_kafka_t* client, rd_kafka_admin_op_t operation,
                                   milliseconds timeout, const Send& send) {
  char reason[512];
  std::unique_ptr<rd_kafka_queue_t, HandleDeleter> queue{rd_kafka_queue_new(client)};
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(client, operation);
  rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms(timeout), reason, sizeof reason);
  send(options, queue.get());
  rd_kafka_AdminOptions_destroy(options);
  AdminEvent event{rd_kafka_queue_poll(queue.get(), timeout_ms(timeout) + 5000)};
  if (!event) throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT), std::string(what) + " timed out");
  if (const auto error = rd_kafka_event_error(event.get())) {
    throw KafkaException(make_error_code(error), std::string(what) + ": " + rd_kafka_event_error_string(event.get()));
  }
  return event;
}

/// Throws for the first topic whose result is an error other than `fine` (the idempotent case).
void throw_on_topic_errors(std::string_view what, const rd_kafka_topic_result_t** results, std::size_t count,
                           rd_kafka_resp_err_t fine) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto error = rd_kafka_topic_result_error(results[i]);
    if (error != RD_KAFKA_RESP_ERR_NO_ERROR && error != fine) {
      const char* message = rd_kafka_topic_result_error_string(results[i]);
      throw KafkaException(make_error_code(error), std::string(what) + rd_kafka_topic_result_name(results[i]) + ": " +
                                                       (message ? message : rd_kafka_err2str(error)));
    }
  }
}

int partition_count_through(rd_kafka_t* client, const std::string& topic, milliseconds timeout) {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  const auto metadata = topic_metadata(client, topic, timeout, error);
  if (error) throw KafkaException(make_error_code(error), "metadata request for " + topic + " failed");
  const bool exists = metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR;
  return exists ? metadata->topics[0].partition_cnt : 0;
}

/// The broker answers CreateTopics and DeleteTopics once its controller has the change, and its
/// metadata shows it a moment later: waits until metadata shows every topic `present` or every one
/// gone, so that a command run right after (relmap produce checks its topics exist; topics create
/// after topics delete) sees the change.
void await_metadata(rd_kafka_t* client, const std::vector<std::string>& topics, bool present, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& topic : topics) {
    while ((partition_count_through(client, topic, timeout) > 0) != present) {
      if (std::chrono::steady_clock::now() >= deadline) {
        throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__TIMED_OUT),
                             "topic " + topic + (present ? " was created but is not in metadata" : " was deleted but is still in metadata"));
      }
      std::this_thread::sleep_for(milliseconds{10});
    }
  }
}

}  // namespace

void create_topics(const Config& config, const std::vector<NewTopic>& topics, milliseconds timeout) {
  if (topics.empty()) return;
  const auto client = admin_client(config);
  std::vector<rd_kafka_NewTopic_t*> requests;
  char reason[512];
  for (const auto& topic : topics) {
    rd_kafka_NewTopic_t* request = rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                                         topic.replication_factor, reason, sizeof reason);
    if (request == nullptr) {
      rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
      throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__INVALID_ARG), "topic " + topic.name + ": " + reason);
    }
    for (const auto& [key, value] : topic.configs) rd_kafka_NewTopic_set_config(request, key.c_str(), value.c_str());
    requests.push_back(request);
  }
  // librdkafka copies the requests: they are freed once sent, whatever comes back.
  const auto send = [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
    rd_kafka_CreateTopics(client.get(), requests.data(), requests.size(), options, queue);
    rd_kafka_NewTopic_destroy_array(requests.data(), requests.size());
  };
  const auto event = run_topic_admin_request("creating topics", client.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, send);
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  throw_on_topic_errors("creating topic ", results, count, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
  std::vector<std::string> names;
  for (const auto& topic : topics) names.push_back(topic.name);
  await_metadata(client.get(), names, true, timeout);
}

void delete_topics(const Config& config, const std::vector<std::string>& topics, milliseconds timeout) {
  if (topics.empty()) return;
  const auto client = admin_client(config);
  std::vector<rd_kafka_DeleteTopic_t*> requests;
  for (const auto& topic : topics) requests.push_back(rd_kafka_DeleteTopic_new(topic.c_str()));
  const auto send = [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
    rd_kafka_DeleteTopics(client.get(), requests.data(), requests.size(), options, queue);
    rd_kafka_DeleteTopic_destroy_array(requests.data(), requests.size());
  };
  const auto event = run_topic_admin_request("deleting topics", client.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout, send);
  std::size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event.get()), &count);
  throw_on_topic_errors("deleting topic ", results, count, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  await_metadata(client.get(), topics, false, timeout);
}

int broker_count(const Config& config, milliseconds timeout) {
  const auto client = admin_client(config);
  const rd_kafka_metadata_t* metadata = nullptr;
  const auto error = rd_kafka_metadata(client.get(), 0, nullptr, &metadata, timeout_ms(timeout));
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) throw KafkaException(make_error_code(error), "reading the cluster's brokers");
  const MetadataPtr kept{metadata, &rd_kafka_metadata_destroy};
  return kept->broker_cnt;
}

int partition_count(const Config& config, const std::string& topic, milliseconds timeout) {
  return partition_counts(config, {topic}, timeout).front();
}

std::vector<int> partition_counts(const Config& config, const std::vector<std::string>& topics, milliseconds timeout) {
  const auto client = admin_client(config);
  std::vector<int> counts;
  for (const auto& topic : topics) counts.push_back(partition_count_through(client.get(), topic, timeout));
  return counts;
}

std::vector<TopicPartition> high_watermarks(const Config& config, const std::string& topic, milliseconds timeout) {
  const auto client = admin_client(config);
  const int partitions = partition_count_through(client.get(), topic, timeout);
  std::vector<TopicPartition> result;
  for (int partition = 0; partition < partitions; ++partition) {
    const auto watermarks = query_watermarks(client.get(), topic, partition, timeout);
    if (watermarks.error) throw KafkaException(watermarks.error, "watermarks of " + topic + " failed");
    result.push_back({topic, partition, watermarks.high});
  }
  return result;
}

void delete_records(const Config& config, const std::vector<TopicPartition>& before, milliseconds timeout) {
  if (before.empty()) return;
  const auto client = admin_client(config);
  const auto offsets = to_partition_list(before);
  rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(offsets.get());
  const auto send = [&](rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
    rd_kafka_DeleteRecords(client.get(), &request, 1, options, queue);
    rd_kafka_DeleteRecords_destroy(request);
  };
  const auto event = run_topic_admin_request("deleting records", client.get(), RD_KAFKA_ADMIN_OP_DELETERECORDS, timeout, send);
  const auto* deleted = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event.get()));
  for (int i = 0; deleted != nullptr && i < deleted->cnt; ++i) {
    const auto& partition = deleted->elems[i];
    if (partition.err) {
      throw KafkaException(make_error_code(partition.err), "deleting records of " + std::string(partition.topic) + ":" +
                                                               std::to_string(partition.partition));
    }
  }
}

namespace detail {

Watermarks query_watermarks(rd_kafka_t* client, const std::string& topic, std::int32_t partition, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Watermarks watermarks;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    const auto error = rd_kafka_query_watermark_offsets(client, topic.c_str(), partition, &watermarks.low, &watermarks.high,
                                                       timeout_ms(std::max(left, milliseconds{1})));
    const bool leader_not_ready = error == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION || error == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    if (!leader_not_ready || std::chrono::steady_clock::now() + 10ms >= deadline) {
      watermarks.error = error == RD_KAFKA_RESP_ERR_NO_ERROR ? std::error_code{} : make_error_code(error);
      return watermarks;
    }
    std::this_thread::sleep_for(10ms);
  }
}

}  // namespace detail
}  // namespace relmap::kafka
