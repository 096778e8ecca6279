#include "relmap/aggregation/aggregator.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include <xxhash.h>

namespace relmap::aggregation {
namespace {

/// "Latest" in the contract: by occurred_at, ties broken by event_id.
bool later(Timestamp at, const std::string& event_id, Timestamp than_at, const std::string& than_event_id) {
  return at != than_at ? at > than_at : event_id > than_event_id;
}

/// Whether a handoff sends the case straight back: the one before it went the other way.
template <typename Handoff>
bool goes_back(const Handoff& previous, const Handoff& next) {
  return previous.from == next.to && previous.to == next.from;  // an opening's empty `from` is no one's
}

/// The interned handle of a department the case names, noted among the case's departments. Most
/// events name departments their case already names: those are found among its few, not interned.
DepartmentName noted(CaseState& state, std::string_view department) {
  for (const DepartmentName& known : state.departments) {
    if (known == department) return known;
  }
  const DepartmentName name(department);
  state.departments.insert(name);
  return name;
}

}  // namespace

std::uint64_t event_id_hash(std::string_view event_id) { return XXH3_64bits(event_id.data(), event_id.size()); }

std::uint64_t life_of(const CaseState& state) {
  if (state.event_ids.empty()) return XXH3_64bits(nullptr, 0);
  return XXH3_64bits(&*state.event_ids.begin(), state.event_ids.size() * sizeof(std::uint64_t));
}

std::string Aggregator::case_key(const schemas::Event& event) {
  return event.case_id ? *event.case_id : "andon:" + event.event_id;
}

void Aggregator::count_rejected() {
  ++totals_.totals.rejected;
  totals_changed_ = true;
}

Aggregator::Applied Aggregator::apply(const schemas::Event& event, std::vector<LateRejection>& late_rejections) {
  const std::string key = case_key(event);
  auto [found, created] = cases_.try_emplace(key);
  CaseState& state = found->second;
  totals_changed_ = true;
  if (!state.event_ids.insert(event_id_hash(event.event_id)).second) {
    ++totals_.totals.duplicates;
    return Applied::duplicate;
  }
  if (!state.changed) {
    state.changed = true;
    changed_cases_.push_back(key);
  }
  ++totals_.totals.events;
  if (created && event.case_id) ++totals_.totals.cases;
  totals_.watermark = totals_.watermark ? std::max(*totals_.watermark, event.occurred_at) : event.occurred_at;
  state.last_event = std::max(state.last_event, event.occurred_at);
  std::visit(
      [&](const auto& body) {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<Body, schemas::Request>) {
          apply_request(event, body, state, late_rejections);
        } else if constexpr (std::is_same_v<Body, schemas::Response>) {
          noted(state, body.from);
          noted(state, body.to);
          if (body.redirect_to) noted(state, *body.redirect_to);
          auto& request = state.requests[body.request_id];
          if (!request.seen) {
            request.waiting.push_back(event);
          } else if (auto mismatch = apply_response(event, request)) {
            reject_late(std::move(*mismatch), late_rejections);
          }
        } else if constexpr (std::is_same_v<Body, schemas::Handoff>) {
          HandoffRecord record{event.occurred_at, event.event_id, body.from ? noted(state, *body.from) : DepartmentName{},
                               noted(state, body.to)};
          // Keep event-time order even when handoffs arrive out of order. Equal times keep the order
          // they arrived in (the case's order in its partition, or in its file), as the contract's
          // stable sort says: their ids are no order (an imported log's are hashes).
          const auto position = std::upper_bound(state.handoffs.begin(), state.handoffs.end(), record,
                                                 [](const auto& a, const auto& b) { return a.at < b.at; });
          state.handoffs.insert(position, std::move(record));
        } else if constexpr (std::is_same_v<Body, schemas::Feedback>) {
          if (body.about) noted(state, *body.about);
          if (body.from) noted(state, *body.from);
          state.feedback.push_back({event.occurred_at, event.event_id, body.solved, body.about});
        } else {
          noted(state, body.from);
          noted(state, body.about);
          state.andons.push_back({event.occurred_at, body.from, body.about});
        }
      },
      event.body);
  return Applied::counted;
}

void Aggregator::apply_request(const schemas::Event& event, const schemas::Request& request, CaseState& state,
                               std::vector<LateRejection>& late_rejections) {
  const DepartmentName from = noted(state, request.from);
  const DepartmentName to = noted(state, request.to);
  auto& entry = state.requests[request.request_id];
  if (entry.seen) return;  // a second request with the same request_id: the first one stands
  entry.seen = true;
  entry.from = from;
  entry.to = to;
  entry.topic = request.topic.value_or("");
  entry.asked_at = event.occurred_at;
  entry.due_at = request.due_at;
  auto waiting = std::move(entry.waiting);
  entry.waiting.clear();
  for (const auto& response : waiting) {
    if (auto mismatch = apply_response(response, entry)) reject_late(std::move(*mismatch), late_rejections);
  }
}

std::optional<LateRejection> Aggregator::apply_response(const schemas::Event& event, RequestState& request) {
  const auto& response = std::get<schemas::Response>(event.body);
  if (response.from != request.to) {
    return LateRejection{event, "response_mismatch",
                         "/from: the request " + response.request_id + " was made to " + request.to.str() + ", not " + response.from};
  }
  if (response.to != request.from) {
    return LateRejection{event, "response_mismatch",
                         "/to: the request " + response.request_id + " was made by " + request.from.str() + ", not " + response.to};
  }
  if (!request.answered || later(event.occurred_at, event.event_id, request.answered_at, request.answer_event_id)) {
    request.answered = true;
    request.outcome = response.outcome;
    request.answered_at = event.occurred_at;
    request.answer_event_id = event.event_id;
  }
  return std::nullopt;
}

void Aggregator::reject_late(LateRejection rejection, std::vector<LateRejection>& late_rejections) {
  --totals_.totals.events;
  ++totals_.totals.rejected;
  late_rejections.push_back(std::move(rejection));
}

Aggregator::Changes Aggregator::take_changes() {
  Changes changes{std::exchange(totals_changed_, false), {}};
  changes.cases.reserve(changed_cases_.size());
  for (auto& key : changed_cases_) {
    const auto found = cases_.find(key);
    if (found == cases_.end() || !found->second.changed) continue;  // expired since, or listed twice
    found->second.changed = false;
    changes.cases.emplace_back(std::move(key), &found->second);
  }
  changed_cases_.clear();
  return changes;
}

std::vector<std::pair<std::string, CaseState>> Aggregator::expire_idle_cases(std::chrono::hours retention) {
  std::vector<std::pair<std::string, CaseState>> expired;
  if (!totals_.watermark) return expired;
  const Timestamp horizon = *totals_.watermark - retention;
  for (auto it = cases_.begin(); it != cases_.end();) {
    if (it->second.last_event < horizon) {
      expired.emplace_back(it->first, std::move(it->second));
      cases_.erase(it++);
    } else {
      ++it;
    }
  }
  return expired;
}

void Aggregator::restore_case(const std::string& key, CaseState state) { cases_[key] = std::move(state); }

CaseFacts facts_of(const CaseState& state) {
  CaseFacts facts;
  for (const auto& name : state.departments) facts.departments.emplace_hint(facts.departments.end(), name.str());
  facts.andons = state.andons;
  const CaseFacts::Request* first_request = nullptr;
  for (const auto& [id, request] : state.requests) {
    if (!request.seen) continue;
    facts.requests.push_back({request.from, request.to, request.topic, request.asked_at, request.due_at,
                              request.answered ? std::optional{request.outcome} : std::nullopt, request.answered_at});
  }
  for (const auto& request : facts.requests) {
    if (first_request == nullptr || request.asked_at < first_request->asked_at) first_request = &request;
  }
  for (std::size_t i = 0; i < state.handoffs.size(); ++i) {
    const auto& handoff = state.handoffs[i];
    const bool ping_pong = i > 0 && goes_back(state.handoffs[i - 1], handoff);
    facts.handoffs.push_back({handoff.from, handoff.to, handoff.at, ping_pong});
  }
  for (const auto& feedback : state.feedback) {
    std::optional<std::string> about = feedback.about;
    if (!about) {
      // The owner then: the `to` of the latest handoff up to the feedback, else of the first request.
      for (const auto& handoff : state.handoffs) {
        if (handoff.at > feedback.at) break;  // a handoff at the feedback's instant came before it
        about = handoff.to;
      }
      if (!about && first_request != nullptr) about = first_request->to;
    }
    if (about) facts.feedback.push_back({*about, feedback.at, feedback.solved});
  }
  return facts;
}

void AggregatesBuilder::add_case(std::string case_key, CaseFacts facts) {
  // try_emplace moves nothing when the case is already there: `facts` is then joined to it.
  const auto [found, first_life] = facts_.try_emplace(std::move(case_key), std::move(facts));
  if (first_life) return;
  ++later_lives_;
  CaseFacts& joined = found->second;
  const auto append = [](auto& to, auto& from) { std::move(from.begin(), from.end(), std::back_inserter(to)); };
  append(joined.requests, facts.requests);
  append(joined.feedback, facts.feedback);
  append(joined.andons, facts.andons);
  joined.departments.insert(facts.departments.begin(), facts.departments.end());
  // In event time, whichever life is added first: the chain of owners reads them in order, and a
  // handoff that sends the case back to the last owner of its previous life is a ping-pong too.
  const auto earlier_handoffs = joined.handoffs.size();
  append(joined.handoffs, facts.handoffs);
  std::inplace_merge(joined.handoffs.begin(), joined.handoffs.begin() + static_cast<std::ptrdiff_t>(earlier_handoffs),
                     joined.handoffs.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  for (std::size_t i = 1; i < joined.handoffs.size(); ++i) {
    joined.handoffs[i].ping_pong = goes_back(joined.handoffs[i - 1], joined.handoffs[i]);
  }
}

void AggregatesBuilder::add_partition(const PartitionTotals& totals) {
  totals_.events += totals.totals.events;
  totals_.duplicates += totals.totals.duplicates;
  totals_.rejected += totals.totals.rejected;
  totals_.cases += totals.totals.cases;
  if (totals.watermark) watermark_ = watermark_ ? std::max(*watermark_, *totals.watermark) : *totals.watermark;
}

bool is_dead_end(const CaseFacts::Request& request, const std::optional<Timestamp>& watermark) {
  if (request.outcome) return *request.outcome == schemas::Outcome::declined;
  return watermark && request.due_at < *watermark;
}

namespace {

/// The chain of a case (docs/contract.md, "Cases"); nullopt for a case with no request and no handoff.
std::optional<graph::CaseChain> chain_of(const std::string& case_key, const CaseFacts& facts,
                                         const std::optional<Timestamp>& watermark) {
  const CaseFacts::Request* first = nullptr;
  const CaseFacts::Request* latest = nullptr;
  for (const auto& request : facts.requests) {
    if (first == nullptr || request.asked_at < first->asked_at) first = &request;
    if (latest == nullptr || request.asked_at >= latest->asked_at) latest = &request;
  }
  if (first == nullptr && facts.handoffs.empty()) return std::nullopt;
  graph::CaseChain chain;
  chain.case_id = case_key;
  Timestamp started = first != nullptr ? first->asked_at : facts.handoffs.front().at;
  if (!facts.handoffs.empty()) started = std::min(started, facts.handoffs.front().at);
  chain.started = format_day(started);
  for (const auto& handoff : facts.handoffs) {
    if (handoff.opens_case()) {
      if (chain.owners.empty() || chain.owners.back() != handoff.to) chain.owners.push_back(handoff.to);
      continue;
    }
    if (chain.owners.empty() || chain.owners.back() != handoff.from) chain.owners.push_back(handoff.from);
    chain.owners.push_back(handoff.to);
    if (handoff.ping_pong) ++chain.ping_pongs;
  }
  if (chain.owners.empty()) chain.owners.push_back(first->to);
  const bool solved_feedback =
      std::any_of(facts.feedback.begin(), facts.feedback.end(), [](const auto& feedback) { return feedback.solved; });
  if (solved_feedback || (latest != nullptr && latest->outcome == schemas::Outcome::resolved)) {
    chain.end = graph::CaseEnd::solved;
  } else if (latest != nullptr && is_dead_end(*latest, watermark)) {
    const auto handed_on_after = std::count_if(facts.handoffs.begin(), facts.handoffs.end(), [&](const auto& handoff) {
      return handoff.moves_case() && handoff.at > latest->asked_at;
    });
    if (handed_on_after == 0) {
      chain.end = graph::CaseEnd::dead_end;
      const auto handoffs_before = std::count_if(facts.handoffs.begin(), facts.handoffs.end(), [&](const auto& handoff) {
        return handoff.moves_case() && handoff.at <= latest->asked_at;
      });
      chain.dead_end_step = static_cast<std::size_t>(handoffs_before) + 1;
      chain.dead_end_at = latest->to;
    }
  }
  return chain;
}

}  // namespace

graph::Aggregates AggregatesBuilder::build(const graph::Window& window) const {
  graph::Aggregates aggregates;
  aggregates.window = window;
  aggregates.totals = totals_;
  aggregates.totals.cases -= later_lives_;
  if (watermark_) aggregates.watermark = format_rfc3339(*watermark_);
  std::uint64_t cases_with_handoff = 0;
  for (const auto& [case_key, facts] : facts_) {
    if (auto chain = chain_of(case_key, facts, watermark_); chain && window.contains(chain->started)) {
      aggregates.chains.push_back(std::move(*chain));
    }
    aggregates.departments.insert(facts.departments.begin(), facts.departments.end());
    for (const auto& request : facts.requests) {
      if (!window.contains(format_day(request.asked_at))) continue;
      auto& edge = aggregates.edges[{request.from, request.to}];
      ++edge.requests;
      if (request.outcome) {
        switch (*request.outcome) {
          case schemas::Outcome::resolved: ++edge.resolved; break;
          case schemas::Outcome::declined: ++edge.declined; break;
          case schemas::Outcome::redirected: ++edge.redirected; break;
        }
        edge.response_times_s.push_back(std::chrono::duration<double>(request.answered_at - request.asked_at).count());
      } else if (watermark_ && request.due_at < *watermark_) {
        ++edge.expired;
      } else {
        ++edge.open;
      }
      if (!request.topic.empty()) {
        auto& topic = aggregates.topics[{request.from, request.to, request.topic}];
        ++topic.requests;
        if (is_dead_end(request, watermark_)) ++topic.dead_ends;
      }
    }
    if (std::any_of(facts.handoffs.begin(), facts.handoffs.end(), [](const auto& handoff) { return handoff.moves_case(); })) {
      ++cases_with_handoff;
    }
    for (const auto& handoff : facts.handoffs) {
      if (handoff.opens_case() || !window.contains(format_day(handoff.at))) continue;
      auto& edge = aggregates.edges[{handoff.from, handoff.to}];
      ++edge.handoffs;
      if (handoff.ping_pong) ++edge.ping_pong;
    }
    for (const auto& feedback : facts.feedback) {
      if (!window.contains(format_day(feedback.at))) continue;
      auto& counts = aggregates.feedback[feedback.about];
      ++(feedback.solved ? counts.solved : counts.unsolved);
    }
    for (const auto& andon : facts.andons) {
      if (window.contains(format_day(andon.at))) ++aggregates.edges[{andon.from, andon.about}].andon;
    }
  }
  // Andon-only keys are no case and hold no handoff, so every case with one is among totals.cases.
  aggregates.totals.cases_without_handoff = aggregates.totals.cases - std::min(cases_with_handoff, aggregates.totals.cases);
  return aggregates;
}

AggregatesBuilder snapshot_of(const std::vector<const Aggregator*>& partitions) {
  AggregatesBuilder builder;
  for (const auto* partition : partitions) {
    builder.add_partition(partition->totals());
    for (const auto& [key, state] : partition->cases()) builder.add_case(key, facts_of(state));
  }
  return builder;
}

}  // namespace relmap::aggregation
