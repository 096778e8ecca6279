#include "relmap/serve/alerts.hpp"

#include <algorithm>

#include <rapidjson/document.h>

#include "relmap/common/json_writer.hpp"

namespace relmap::serve {
namespace {

Alert andon_alert(Timestamp at, const std::optional<std::string>& event_id, const std::optional<std::string>& case_id,
                  const std::string& from, const std::string& about) {
  JsonWriter json;
  json.start_object();
  json.field("kind", "andon");
  json.field("at", format_rfc3339(at));
  json.field("event_id", event_id);
  json.field("case_id", case_id);
  json.field("from", from);
  json.field("about", about);
  json.end_object();
  return {"andon", at, {from, about}, json.str()};
}

Alert dead_end_alert(Timestamp at, const std::string& from, const std::string& to, std::uint64_t requests,
                     std::uint64_t dead_ends, double threshold) {
  JsonWriter json;
  json.start_object();
  json.field("kind", "dead_end_rate");
  json.field("at", format_rfc3339(at));
  json.field("from", from);
  json.field("to", to);
  json.field("requests", requests);
  json.field("dead_ends", dead_ends);
  json.field("dead_end_rate", static_cast<double>(dead_ends) / static_cast<double>(requests));
  json.field("threshold", threshold);
  json.end_object();
  return {"dead_end_rate", at, {from, to}, json.str()};
}

void newest_first(std::vector<Alert>& alerts) {
  std::stable_sort(alerts.begin(), alerts.end(), [](const Alert& a, const Alert& b) { return a.at > b.at; });
}

std::optional<std::string> text(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) return std::nullopt;
  return std::string(member->value.GetString(), member->value.GetStringLength());
}

}  // namespace

std::vector<Alert> alerts_from_topic(const std::vector<std::string>& values) {
  std::vector<Alert> alerts;
  for (const auto& value : values) {
    rapidjson::Document record;
    record.Parse<rapidjson::kParseIterativeFlag>(value.data(), value.size());
    if (record.HasParseError() || !record.IsObject()) continue;
    const auto kind = text(record, "kind");
    if (kind == "andon") {
      const auto at = text(record, "occurred_at");
      const auto from = text(record, "from");
      const auto about = text(record, "about");
      const auto parsed = at ? parse_rfc3339(*at) : std::nullopt;
      if (!parsed || !from || !about) continue;
      alerts.push_back(andon_alert(*parsed, text(record, "event_id"), text(record, "case_id"), *from, *about));
    } else if (kind == "dead_end_rate") {
      const auto at = text(record, "watermark");
      const auto from = text(record, "from");
      const auto to = text(record, "to");
      const auto parsed = at ? parse_rfc3339(*at) : std::nullopt;
      const auto requests = record.FindMember("requests");
      const auto dead_ends = record.FindMember("dead_ends");
      const auto threshold = record.FindMember("threshold");
      if (!parsed || !from || !to || requests == record.MemberEnd() || !requests->value.IsUint64() ||
          requests->value.GetUint64() == 0 || dead_ends == record.MemberEnd() || !dead_ends->value.IsUint64() ||
          threshold == record.MemberEnd() || !threshold->value.IsNumber()) {
        continue;
      }
      alerts.push_back(dead_end_alert(*parsed, *from, *to, requests->value.GetUint64(), dead_ends->value.GetUint64(),
                                      threshold->value.GetDouble()));
    }
  }
  newest_first(alerts);
  return alerts;
}

std::vector<Alert> alerts_of(const aggregation::AggregatesBuilder& facts, const graph::RelationshipMap& map,
                             const graph::DeadEndAlertRule& rule) {
  constexpr std::string_view kCaseless = "andon:";  // the case key of an andon without a case: andon:<event_id>
  std::vector<Alert> alerts;
  for (const auto& [key, case_facts] : facts.cases()) {
    const bool caseless = key.rfind(kCaseless, 0) == 0;
    for (const auto& andon : case_facts.andons) {
      alerts.push_back(andon_alert(andon.at, caseless ? std::optional(key.substr(kCaseless.size())) : std::nullopt,
                                   caseless ? std::nullopt : std::optional(key), andon.from, andon.about));
    }
  }
  if (facts.watermark()) {
    for (const auto& edge : map.edges) {
      if (rule.alerts(edge.stats)) {
        alerts.push_back(dead_end_alert(*facts.watermark(), edge.from, edge.to, edge.stats.requests, edge.stats.dead_ends(),
                                        rule.threshold));
      }
    }
  }
  newest_first(alerts);
  return alerts;
}

}  // namespace relmap::serve
