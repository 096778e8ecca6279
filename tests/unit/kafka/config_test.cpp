#include "relmap/kafka/config.hpp"

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "relmap/kafka/client.hpp"

namespace relmap::kafka {
namespace {

TEST(Config, LaterSettingsOverrideEarlierOnesButNotDefaults) {
  Config config;
  config.set("bootstrap.servers", "a:9092").set_assignment("bootstrap.servers = b:9092");
  config.set_default("bootstrap.servers", "c:9092").set_default("client.id", "relmap");
  EXPECT_EQ(config.get("bootstrap.servers"), "b:9092");
  EXPECT_EQ(config.get("client.id"), "relmap");
  EXPECT_EQ(config.get("linger.ms", "5"), "5");
}

TEST(Config, RejectsAnAssignmentWithoutEquals) {
  Config config;
  EXPECT_THROW(config.set_assignment("linger.ms"), std::invalid_argument);
  EXPECT_THROW(config.set_assignment("=5"), std::invalid_argument);
}

TEST(Config, ReadsAPropertiesFile) {
  const std::string path = ::testing::TempDir() + "relmap-config-test.properties";
  {
    std::ofstream out(path);
    out << "# broker\nbootstrap.servers=127.0.0.1:1\n\n  linger.ms = 20  \n";
  }
  Config config;
  config.load_file(path);
  EXPECT_EQ(config.get("bootstrap.servers"), "127.0.0.1:1");
  EXPECT_EQ(config.get("linger.ms"), "20");
  {
    std::ofstream out(path);
    out << "bootstrap.servers\n";
  }
  EXPECT_THROW(config.load_file(path), std::runtime_error);
  std::remove(path.c_str());
  EXPECT_THROW(config.load_file(path), std::runtime_error);
}

TEST(Config, LibrdkafkaNamesAnUnknownProperty) {
  Config config;
  config.set("bootstrap.servers", "127.0.0.1:1").set("no.such.property", "1");
  try {
    Producer producer(config);
    FAIL() << "an unknown property must be rejected";
  } catch (const KafkaException& error) {
    EXPECT_NE(std::string(error.what()).find("no.such.property"), std::string::npos) << error.what();
  }
}

// `-X sasl.pasword=SECRET` printed the password to stderr in librdkafka's refusal.
TEST(Config, AMistypedSecretPropertyIsNamedWithoutItsValue) {
  for (const std::string key : {"sasl.pasword", "sasl.passwd", "ssl.key.pasword", "sasl.oauthbearer.client.secrett"}) {
    Config config;
    config.set("bootstrap.servers", "127.0.0.1:1").set(key, "SECRET-42");
    try {
      Producer producer(config);
      FAIL() << key << " must be rejected";
    } catch (const KafkaException& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find(key + "=(hidden)"), std::string::npos) << message;
      EXPECT_EQ(message.find("SECRET-42"), std::string::npos) << message;
    }
  }
  try {
    Config{}.set_assignment("sasl.password:SECRET-42");
    FAIL() << "an assignment without '=' must be rejected";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).find("SECRET-42"), std::string::npos) << error.what();
  }
  EXPECT_EQ(printable_property("client.id", "relmap"), "client.id=relmap");
}

TEST(Config, PassesPropertiesThroughToLibrdkafka) {
  Config config;
  config.set("bootstrap.servers", "127.0.0.1:1").set("client.id", "relmap-config-test");
  Producer producer(config);
  EXPECT_EQ(producer.property("client.id"), "relmap-config-test");
  EXPECT_EQ(producer.property("enable.idempotence"), "true") << "relmap's default";
  EXPECT_EQ(producer.property("message.max.bytes"), "1000000") << "librdkafka's default";
  EXPECT_EQ(producer.property("no.such.property"), std::nullopt);
}

}  // namespace
}  // namespace relmap::kafka
