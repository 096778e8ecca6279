#include "relmap/schemas/cloud_event_binary.hpp"

#include <gtest/gtest.h>

#include "relmap/schemas/decoder.hpp"
#include "relmap/schemas/event.hpp"

namespace relmap::schemas {
namespace {

const std::vector<CloudEventAttribute> kAttributes = {
    {"specversion", "1.0"}, {"id", "e-1001"}, {"source", "servicenow"}, {"type", "org.relmap.request.v1"},
    {"time", "2026-03-02T09:15:00Z"}, {"subject", "INC-42"}};
constexpr std::string_view kData = R"({"from":"Service Desk","to":"Billing","request_id":"r-77","topic":"refund"})";
constexpr std::string_view kStructured =
    R"({"specversion":"1.0","id":"e-1001","source":"servicenow","type":"org.relmap.request.v1",)"
    R"("time":"2026-03-02T09:15:00Z","subject":"INC-42","datacontenttype":"application/json",)"
    R"("data":{"from":"Service Desk","to":"Billing","request_id":"r-77","topic":"refund"}})";

TEST(CloudEventBinary, AnEventInBinaryModeDecodesToTheSameEventAsInStructuredMode) {
  const auto record = structured_cloud_event(kAttributes, "application/json; charset=utf-8", kData, "ce-");
  ASSERT_TRUE(record.has_value()) << record.error().message;
  EXPECT_EQ(record.value(), kStructured);
  const Decoder decoder;
  const auto binary = decoder.decode(record.value());
  const auto structured = decoder.decode(kStructured);
  ASSERT_TRUE(binary.has_value()) << binary.error().to_string();
  ASSERT_TRUE(structured.has_value());
  EXPECT_EQ(to_json(binary.value()), to_json(structured.value()));
}

TEST(CloudEventBinary, HeaderNamesInAnyCaseAndPercentEncodedValuesAreTheSameAttributes) {
  std::vector<CloudEventAttribute> attributes = kAttributes;
  attributes[1] = {"ID", percent_decoded("e-%31001")};
  attributes[5] = {"Subject", percent_decoded("INC-%C3%A9%zz%4")};
  const auto record = structured_cloud_event(attributes, "application/json", kData, "ce-");
  ASSERT_TRUE(record.has_value());
  EXPECT_NE(record.value().find(R"("id":"e-1001")"), std::string::npos) << record.value();
  // A malformed escape stays as it came.
  EXPECT_NE(record.value().find("\"subject\":\"INC-\xC3\xA9%zz%4\""), std::string::npos) << record.value();
}

TEST(CloudEventBinary, AHeaderGivenTwiceAMalformedNameOrAValueNotUtf8RefusesTheRequest) {
  auto attributes = kAttributes;
  attributes.push_back({"id", "e-2"});
  EXPECT_EQ(structured_cloud_event(attributes, "application/json", kData, "ce-").error().message, "ce-id is given twice");
  attributes = kAttributes;
  attributes.push_back({"trace_id", "x"});
  EXPECT_EQ(structured_cloud_event(attributes, "application/json", kData, "ce_").error().message,
            "ce_trace_id: not a CloudEvents attribute name (a-z, 0-9, at most 20)");
  attributes = kAttributes;
  attributes.push_back({"data", "{}"});
  EXPECT_EQ(structured_cloud_event(attributes, "application/json", kData, "ce-").error().message,
            "ce-data: the data and its type are the body's");
  attributes = kAttributes;
  attributes[2].second = "\xff";
  EXPECT_EQ(structured_cloud_event(attributes, "application/json", kData, "ce-").error().message, "ce-source is not UTF-8");
  EXPECT_EQ(structured_cloud_event(kAttributes, "text/plain", kData, "ce-").error().message,
            "a binary-mode CloudEvent's data must be JSON (Content-Type application/json), not text/plain");
}

TEST(CloudEventBinary, DataThatIsNotAJsonObjectIsLeftForTheDecoderToRefuseWithItsReason) {
  const Decoder decoder;
  for (const std::string_view data : {std::string_view(R"({"from":"A")"), std::string_view("[1,2]"), std::string_view("\xff{}")}) {
    const auto record = structured_cloud_event(kAttributes, "application/json", data, "ce-");
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record.value(), data);  // kept byte for byte for the dead-letter topic
    EXPECT_FALSE(decoder.decode(record.value()).has_value());
  }
  // An extension attribute is carried; a missing required one is the decoder's schema violation.
  auto attributes = kAttributes;
  attributes.push_back({"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"});
  const auto with_extension = structured_cloud_event(attributes, "application/json", kData, "ce-");
  EXPECT_TRUE(decoder.decode(with_extension.value()).has_value());
  attributes = kAttributes;
  attributes.erase(attributes.begin() + 4);  // time
  const auto without_time = decoder.decode(structured_cloud_event(attributes, "application/json", kData, "ce-").value());
  ASSERT_FALSE(without_time.has_value());
  EXPECT_NE(without_time.error().to_string().find("/time"), std::string::npos) << without_time.error().to_string();
}

}  // namespace
}  // namespace relmap::schemas
