#include "relmap/kafka/mock_cluster.hpp"

#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // must follow rdkafka.h

#include "c_api.hpp"
#include "client_support.hpp"

namespace relmap::kafka {

MockCluster::MockCluster(int brokers) {
  char reason[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  detail::route_logs(conf);
  // The owner only hosts the cluster and never connects: its notice about having no servers is noise.
  rd_kafka_conf_set(conf, "log_level", "4", reason, sizeof reason);
  rd_kafka_t* owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, reason, sizeof reason);
  if (owner == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__FAIL), std::string("mock cluster client: ") + reason);
  }
  owner_.reset(owner);
  cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
  if (cluster_ == nullptr) throw KafkaException(make_error_code(RD_KAFKA_RESP_ERR__FAIL), "cannot start the mock cluster");
}

MockCluster::~MockCluster() {
  if (cluster_ != nullptr) rd_kafka_mock_cluster_destroy(cluster_);
}

std::string MockCluster::bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

void MockCluster::create_topic(const std::string& topic, int partitions, int replication_factor) {
  if (const auto error = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, replication_factor)) {
    throw KafkaException(make_error_code(error), "mock cluster: creating topic " + topic);
  }
}

std::error_code make_error_code(BrokerError error) { return {static_cast<int>(error), kafka_category()}; }

void MockCluster::inject_errors(ApiKey api_key, std::size_t count, BrokerError error) {
  std::vector<rd_kafka_resp_err_t> errors(count, static_cast<rd_kafka_resp_err_t>(error));
  rd_kafka_mock_push_request_errors_array(cluster_, static_cast<std::int16_t>(api_key), errors.size(), errors.data());
}

void MockCluster::set_broker_down(int32_t broker_id, bool down) {
  const auto error = down ? rd_kafka_mock_broker_set_down(cluster_, broker_id)
                          : rd_kafka_mock_broker_set_up(cluster_, broker_id);
  if (error) throw KafkaException(make_error_code(error), "mock cluster: changing broker state");
}

}  // namespace relmap::kafka
