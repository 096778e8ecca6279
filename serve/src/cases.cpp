#include "cases.hpp"

#include <algorithm>

#include "relmap/common/json_writer.hpp"

namespace relmap::serve {
namespace {

constexpr int kDefaultPage = 50;
constexpr int kLargestPage = 1000;

bool takes_part(const aggregation::CaseFacts& facts, const std::string& department) {
  return facts.departments.count(department) > 0;
}

bool declined_by(const aggregation::CaseFacts& facts, const std::optional<std::string>& department) {
  return std::any_of(facts.requests.begin(), facts.requests.end(), [&](const auto& request) {
    return request.outcome == schemas::Outcome::declined && (!department || request.to == *department);
  });
}

bool ping_pong_with(const aggregation::CaseFacts& facts, const std::optional<std::string>& department) {
  return std::any_of(facts.handoffs.begin(), facts.handoffs.end(), [&](const auto& handoff) {
    return handoff.ping_pong && (!department || handoff.from == *department || handoff.to == *department);
  });
}

bool matches(const graph::CaseChain& chain, const aggregation::CaseFacts& facts, const std::optional<std::string>& department,
             const std::string& state) {
  if (department && !takes_part(facts, *department)) return false;
  if (state == "any") return true;
  if (state == "solved") return chain.end == graph::CaseEnd::solved;
  if (state == "open") return chain.end == graph::CaseEnd::open;
  if (state == "dead_end") return chain.end == graph::CaseEnd::dead_end && (!department || chain.dead_end_at == *department);
  if (state == "declined") return declined_by(facts, department);
  return ping_pong_with(facts, department);
}

void write_chain_members(JsonWriter& json, const graph::CaseChain& chain) {
  json.field("id", chain.case_id);
  json.field("started", chain.started);
  json.field("end", graph::to_string(chain.end));
  json.values("owners", chain.owners);
  json.field("ping_pongs", chain.ping_pongs);
  json.key("dead_end_at");
  if (chain.end == graph::CaseEnd::dead_end) {
    json.value(chain.dead_end_at);
  } else {
    json.null();
  }
}

}  // namespace

CaseQuery case_query_of(const Query& query) {
  return {query.text("department"), query.choice("state", {"any", "solved", "open", "dead_end", "declined", "ping_pong"}),
          static_cast<std::size_t>(query.positive("limit", kDefaultPage, kLargestPage)), query.text("cursor")};
}

std::string cases_json(const Snapshot& snapshot, CaseQuery query, const Principal& principal) {
  auto& department = query.department;
  if (!principal.sees_everything()) {
    if (department && *department != *principal.department) {
      refuse(status::forbidden, "forbidden", "this token reads only its own department's cases");
    }
    department = principal.department;
  }
  const auto& state = query.state;
  const auto limit = query.limit;
  const auto& cursor = query.cursor;
  const auto& chains = snapshot.chains();
  const auto& cases = snapshot.facts().cases();
  auto chain = chains.begin();
  if (cursor) {
    chain = std::upper_bound(chains.begin(), chains.end(), *cursor,
                             [](const std::string& id, const graph::CaseChain& c) { return id < c.case_id; });
  }
  JsonWriter json;
  json.start_object();
  json.field("watermark", snapshot.map().watermark);
  json.key("cases");
  json.start_array();
  std::size_t listed = 0;
  std::optional<std::string> next;
  std::string last_listed;
  for (; chain != chains.end(); ++chain) {
    const auto facts = cases.find(chain->case_id);
    if (facts == cases.end() || !matches(*chain, facts->second, department, state)) continue;
    if (listed == limit) {
      next = last_listed;  // more match: the next page starts after the last one listed
      break;
    }
    last_listed = chain->case_id;
    json.start_object();
    write_chain_members(json, *chain);
    json.field("requests", static_cast<std::uint64_t>(facts->second.requests.size()));
    json.end_object();
    ++listed;
  }
  json.end_array();
  json.field("next_cursor", next);
  json.end_object();
  return json.str();
}

std::string case_json(const Snapshot& snapshot, const std::string& case_id, const Principal& principal) {
  const auto& cases = snapshot.facts().cases();
  const auto facts = cases.find(case_id);
  const auto& chains = snapshot.chains();
  const auto chain = std::lower_bound(chains.begin(), chains.end(), case_id,
                                      [](const graph::CaseChain& c, const std::string& id) { return c.case_id < id; });
  if (facts == cases.end() || chain == chains.end() || chain->case_id != case_id) {
    refuse(status::not_found, "unknown_case", "no case \"" + case_id + "\"");
  }
  if (!principal.sees_everything() && !takes_part(facts->second, *principal.department)) {
    refuse(status::forbidden, "forbidden", "this token reads only the cases its department took part in");
  }
  const auto& watermark = snapshot.watermark();
  JsonWriter json;
  json.start_object();
  write_chain_members(json, *chain);
  json.objects("handoffs", facts->second.handoffs, [&](const aggregation::CaseFacts::Handoff& handoff) {
    json.key("from");
    if (handoff.opens_case()) {
      json.null();  // the case opened at `to`
    } else {
      json.value(handoff.from);
    }
    json.field("to", handoff.to);
    json.field("at", format_rfc3339(handoff.at));
    json.field("ping_pong", handoff.ping_pong);
  });
  json.objects("requests", facts->second.requests, [&](const aggregation::CaseFacts::Request& request) {
    json.field("from", request.from);
    json.field("to", request.to);
    json.key("topic");
    if (request.topic.empty()) {
      json.null();
    } else {
      json.value(request.topic);
    }
    json.field("asked_at", format_rfc3339(request.asked_at));
    json.field("due_at", format_rfc3339(request.due_at));
    std::string outcome = request.outcome ? std::string(schemas::to_string(*request.outcome))
                                          : aggregation::is_dead_end(request, watermark) ? "expired" : "open";
    json.field("outcome", outcome);
    json.field("dead_end", aggregation::is_dead_end(request, watermark));
    if (request.outcome) {
      json.field("answered_at", format_rfc3339(request.answered_at));
      json.field("response_time_s", std::chrono::duration<double>(request.answered_at - request.asked_at).count());
    } else {
      json.key("answered_at");
      json.null();
      json.key("response_time_s");
      json.null();
    }
  });
  json.objects("feedback", facts->second.feedback, [&](const aggregation::CaseFacts::Feedback& feedback) {
    json.field("about", feedback.about);
    json.field("at", format_rfc3339(feedback.at));
    json.field("solved", feedback.solved);
  });
  json.objects("andons", facts->second.andons, [&](const aggregation::AndonRecord& andon) {
    json.field("from", andon.from);
    json.field("about", andon.about);
    json.field("at", format_rfc3339(andon.at));
  });
  json.end_object();
  return json.str();
}

}  // namespace relmap::serve
