// kafka/'s own test: it reads librdkafka's codes through the module's private C-API header.
#include "c_api.hpp"

#include <gtest/gtest.h>

namespace relmap::kafka {
namespace {

TEST(KafkaErrorCode, BridgesLibrdkafkaCodesToStdErrorCode) {
  const std::error_code code = RD_KAFKA_RESP_ERR__TIMED_OUT;
  EXPECT_EQ(code.category().name(), std::string("kafka"));
  EXPECT_EQ(code.value(), RD_KAFKA_RESP_ERR__TIMED_OUT);
  EXPECT_EQ(code.message(), rd_kafka_err2str(RD_KAFKA_RESP_ERR__TIMED_OUT));
  EXPECT_TRUE(code);
  EXPECT_FALSE(std::error_code{RD_KAFKA_RESP_ERR_NO_ERROR});
}

TEST(KafkaError, ClassifiesAnRdKafkaError) {
  KafkaError none;
  EXPECT_FALSE(none);
  KafkaError error{rd_kafka_error_new(RD_KAFKA_RESP_ERR__STATE, "bad state %d", 7)};
  ASSERT_TRUE(error);
  EXPECT_EQ(error.code(), std::error_code{RD_KAFKA_RESP_ERR__STATE});
  EXPECT_EQ(error.message(), "bad state 7");
  EXPECT_FALSE(error.is_fatal());
  EXPECT_THROW(throw_on_error(error, "committing"), KafkaException);
  EXPECT_NO_THROW(throw_on_error(none, "committing"));
}

}  // namespace
}  // namespace relmap::kafka
