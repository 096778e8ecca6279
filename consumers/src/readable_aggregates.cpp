#include "readable_aggregates.hpp"

#include <cinttypes>
#include <cstdio>

#include "relmap/common/json_writer.hpp"
#include "relmap/common/time.hpp"

namespace relmap::consumer {
namespace {

constexpr int kVersion = 1;

std::string life_hex(std::uint64_t life) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016" PRIx64, life);
  return hex;
}

void time_field(JsonWriter& json, std::string_view name, Timestamp at) { json.field(name, format_rfc3339(at)); }

}  // namespace

std::string readable_totals_key(std::int32_t partition) { return "totals:" + std::to_string(partition); }
std::string readable_case_key(std::string_view case_key) { return "case:" + std::string(case_key); }
std::string readable_departed_key(std::string_view case_key, std::uint64_t life) {
  return "departed:" + life_hex(life) + ":" + std::string(case_key);
}

std::string readable_totals(std::int32_t partition, const aggregation::PartitionTotals& totals) {
  JsonWriter json;
  json.start_object();
  json.field("v", kVersion);
  json.field("record", "partition_totals");
  json.field("partition", partition);
  json.field("events", totals.totals.events);
  json.field("duplicates", totals.totals.duplicates);
  json.field("rejected_late", totals.totals.rejected);
  json.field("lives", totals.totals.cases);
  json.key("watermark");
  if (totals.watermark) json.value(format_rfc3339(*totals.watermark)); else json.null();
  json.end_object();
  return json.str();
}

std::string readable_case(std::string_view case_key, std::uint64_t life, bool in_memory, const aggregation::CaseFacts& facts) {
  JsonWriter json;
  json.start_object();
  json.field("v", kVersion);
  json.field("record", "case");
  json.field("case_id", case_key);
  json.field("life", life_hex(life));
  json.field("in_memory", in_memory);
  json.values("departments", facts.departments);
  json.objects("requests", facts.requests, [&](const aggregation::CaseFacts::Request& request) {
    json.field("from", request.from);
    json.field("to", request.to);
    json.key("topic");
    if (request.topic.empty()) json.null(); else json.value(request.topic);
    time_field(json, "asked_at", request.asked_at);
    time_field(json, "due_at", request.due_at);
    json.key("outcome");
    if (request.outcome) json.value(schemas::to_string(*request.outcome)); else json.null();
    json.key("answered_at");
    if (request.outcome) json.value(format_rfc3339(request.answered_at)); else json.null();
  });
  json.objects("handoffs", facts.handoffs, [&](const aggregation::CaseFacts::Handoff& handoff) {
    json.key("from");
    if (handoff.opens_case()) json.null(); else json.value(handoff.from);
    json.field("to", handoff.to);
    time_field(json, "at", handoff.at);
    json.field("ping_pong", handoff.ping_pong);
  });
  json.objects("feedback", facts.feedback, [&](const aggregation::CaseFacts::Feedback& feedback) {
    json.field("about", feedback.about);
    time_field(json, "at", feedback.at);
    json.field("solved", feedback.solved);
  });
  json.objects("andons", facts.andons, [&](const aggregation::AndonRecord& andon) {
    json.field("from", andon.from);
    json.field("about", andon.about);
    time_field(json, "at", andon.at);
  });
  json.end_object();
  return json.str();
}

}  // namespace relmap::consumer
