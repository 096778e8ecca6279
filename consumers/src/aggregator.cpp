#include "relmap/consumer/aggregator.hpp"

#include <algorithm>

namespace relmap::consumer {
namespace {

/// "Latest" in the contract: by occurred_at, ties broken by event_id.
bool later(Timestamp at, const std::string& event_id, Timestamp than_at, const std::string& than_event_id) {
  return at != than_at ? at > than_at : event_id > than_event_id;
}

}  // namespace

Aggregator::Applied Aggregator::apply(const schemas::Event& event, std::vector<LateRejection>& late_rejections) {
  if (!event_ids_.insert(event.event_id).second) {
    ++totals_.duplicates;
    return Applied::duplicate;
  }
  ++totals_.events;
  watermark_ = std::max(watermark_, event.occurred_at);
  if (event.case_id && cases_.find(*event.case_id) == cases_.end()) {
    cases_.emplace(*event.case_id, CaseState{});
    ++totals_.cases;
  }
  std::visit(
      [&](const auto& body) {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, schemas::Request>) {
          apply_request(event, body, late_rejections);
        } else if constexpr (std::is_same_v<Body, schemas::Response>) {
          departments_.insert(body.from);
          departments_.insert(body.to);
          if (body.redirect_to) departments_.insert(*body.redirect_to);
          auto& state = requests_[body.request_id];
          if (!state.seen) {
            state.waiting.push_back(event);
          } else if (auto mismatch = apply_response(event, state)) {
            --totals_.events;
            ++totals_.rejected;
            late_rejections.push_back(std::move(*mismatch));
          }
        } else if constexpr (std::is_same_v<Body, schemas::Handoff>) {
          apply_handoff(event, body);
        } else if constexpr (std::is_same_v<Body, schemas::Feedback>) {
          if (body.about) departments_.insert(*body.about);
          if (body.from) departments_.insert(*body.from);
          cases_[*event.case_id].feedback.push_back({event.occurred_at, event.event_id, body.solved, body.about});
        } else {
          departments_.insert(body.from);
          departments_.insert(body.about);
          andons_.push_back({event.occurred_at, body.from, body.about});
        }
      },
      event.body);
  return Applied::counted;
}

void Aggregator::apply_request(const schemas::Event& event, const schemas::Request& request,
                               std::vector<LateRejection>& late_rejections) {
  departments_.insert(request.from);
  departments_.insert(request.to);
  auto& state = requests_[request.request_id];
  if (state.seen) return;  // a second request with the same request_id: the first one stands
  state.seen = true;
  state.from = request.from;
  state.to = request.to;
  state.case_id = *event.case_id;
  state.asked_at = event.occurred_at;
  state.due_at = request.due_at;
  state.topic = request.topic;
  cases_[state.case_id].request_ids.push_back(request.request_id);
  auto waiting = std::move(state.waiting);
  state.waiting.clear();
  for (const auto& response : waiting) {
    if (auto mismatch = apply_response(response, state)) {
      --totals_.events;
      ++totals_.rejected;
      late_rejections.push_back(std::move(*mismatch));
    }
  }
}

std::optional<LateRejection> Aggregator::apply_response(const schemas::Event& event, RequestState& state) {
  const auto& response = std::get<schemas::Response>(event.body);
  if (response.from != state.to) {
    return LateRejection{event, "response_mismatch",
                         "/from: the request " + response.request_id + " was made to " + state.to + ", not " + response.from};
  }
  if (response.to != state.from) {
    return LateRejection{event, "response_mismatch",
                         "/to: the request " + response.request_id + " was made by " + state.from + ", not " + response.to};
  }
  if (!state.answered || later(event.occurred_at, event.event_id, state.answered_at, state.answer_event_id)) {
    state.answered = true;
    state.outcome = response.outcome;
    state.answered_at = event.occurred_at;
    state.answer_event_id = event.event_id;
  }
  return std::nullopt;
}

void Aggregator::apply_handoff(const schemas::Event& event, const schemas::Handoff& handoff) {
  departments_.insert(handoff.from);
  departments_.insert(handoff.to);
  auto& handoffs = cases_[*event.case_id].handoffs;
  HandoffRecord record{event.occurred_at, event.event_id, handoff.from, handoff.to};
  // Keep event-time order even when handoffs arrive out of order.
  const auto position = std::upper_bound(handoffs.begin(), handoffs.end(), record, [](const auto& a, const auto& b) {
    return later(b.at, b.event_id, a.at, a.event_id);
  });
  handoffs.insert(position, std::move(record));
}

namespace {

/// The owner of a case at `at`: the `to` of its latest handoff up to then, else of its first request.
std::optional<std::string> owner_at(const CaseState& state, Timestamp at, const std::string& event_id,
                                    const std::unordered_map<std::string, RequestState>& requests) {
  const HandoffRecord* latest = nullptr;
  for (const auto& handoff : state.handoffs) {
    if (later(handoff.at, handoff.event_id, at, event_id)) break;
    latest = &handoff;
  }
  if (latest != nullptr) return latest->to;
  const RequestState* first = nullptr;
  for (const auto& id : state.request_ids) {
    const auto& request = requests.at(id);
    if (first == nullptr || request.asked_at < first->asked_at) first = &request;
  }
  if (first != nullptr) return first->to;
  return std::nullopt;
}

}  // namespace

graph::Aggregates collect_aggregates(const std::vector<const Aggregator*>& partitions, const graph::Window& window) {
  graph::Aggregates aggregates;
  aggregates.window = window;
  Timestamp watermark{};
  bool any_events = false;
  for (const auto* partition : partitions) {
    if (partition->has_events()) {
      watermark = any_events ? std::max(watermark, partition->watermark()) : partition->watermark();
      any_events = true;
    }
    aggregates.totals.events += partition->totals().events;
    aggregates.totals.duplicates += partition->totals().duplicates;
    aggregates.totals.rejected += partition->totals().rejected;
    aggregates.totals.cases += partition->totals().cases;
    aggregates.departments.insert(partition->departments().begin(), partition->departments().end());
  }
  if (any_events) aggregates.watermark = format_rfc3339(watermark);

  for (const auto* partition : partitions) {
    for (const auto& [id, request] : partition->requests()) {
      if (!request.seen || !window.contains(format_day(request.asked_at))) continue;
      auto& edge = aggregates.edges[{request.from, request.to}];
      ++edge.requests;
      if (request.answered) {
        switch (request.outcome) {
          case schemas::Outcome::resolved: ++edge.resolved; break;
          case schemas::Outcome::declined: ++edge.declined; break;
          case schemas::Outcome::redirected: ++edge.redirected; break;
        }
        edge.response_times_s.push_back(
            std::chrono::duration<double>(request.answered_at - request.asked_at).count());
      } else if (request.due_at < watermark) {
        ++edge.expired;
      } else {
        ++edge.open;
      }
    }
    for (const auto& [case_id, state] : partition->cases()) {
      for (std::size_t i = 0; i < state.handoffs.size(); ++i) {
        const auto& handoff = state.handoffs[i];
        if (!window.contains(format_day(handoff.at))) continue;
        auto& edge = aggregates.edges[{handoff.from, handoff.to}];
        ++edge.handoffs;
        // A->B then B->A: one ping-pong, on the edge B->A.
        if (i > 0 && state.handoffs[i - 1].from == handoff.to && state.handoffs[i - 1].to == handoff.from) ++edge.ping_pong;
      }
      for (const auto& feedback : state.feedback) {
        if (!window.contains(format_day(feedback.at))) continue;
        const auto about = feedback.about ? feedback.about : owner_at(state, feedback.at, feedback.event_id, partition->requests());
        if (!about) continue;
        auto& counts = aggregates.feedback[*about];
        ++(feedback.solved ? counts.solved : counts.unsolved);
      }
    }
    for (const auto& andon : partition->andons()) {
      if (window.contains(format_day(andon.at))) ++aggregates.edges[{andon.from, andon.about}].andon;
    }
  }
  return aggregates;
}

}  // namespace relmap::consumer
