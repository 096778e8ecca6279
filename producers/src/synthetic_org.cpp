#include "relmap/producer/synthetic_org.hpp"

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "relmap/schemas/event.hpp"

namespace relmap::producer {
namespace {

using namespace std::chrono_literals;
using Departments = std::vector<std::string_view>;

const Departments kFrontOffice = {"Service Desk", "Sales", "Customer Care", "Billing", "Returns"};
const Departments kOperations = {"Logistics", "Warehouse", "Procurement", "Quality", "Production"};
const Departments kCorporate = {"Finance", "Legal", "HR", "IT", "Facilities"};
const Departments kSilo(planted::kSilo.begin(), planted::kSilo.end());
const Departments kIsland(planted::kIsland.begin(), planted::kIsland.end());

/// mt19937_64 with our own draws: the standard distributions differ between library versions,
/// and the same seed must give the same organisation everywhere.
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : engine_(seed) {}
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool chance(double probability) { return unit() < probability; }
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(unit() * static_cast<double>(bound)); }
  std::string_view one_of(const Departments& departments) { return departments[below(departments.size())]; }
  std::string_view other_than(const Departments& departments, std::string_view excluded) {
    std::string_view picked = excluded;
    while (picked == excluded) picked = one_of(departments);
    return picked;
  }
  /// A log-normal duration around `median`, the usual shape of response times.
  std::chrono::seconds around(std::chrono::seconds median) {
    const double normal = std::sqrt(-2.0 * std::log(1.0 - unit())) * std::cos(2.0 * M_PI * unit());
    return std::chrono::seconds{static_cast<long long>(static_cast<double>(median.count()) * std::exp(0.8 * normal)) + 1};
  }

 private:
  std::mt19937_64 engine_;
};

/// Writes one case's events, in event time, with the configured noise.
class CaseWriter {
 public:
  CaseWriter(const GeneratorSettings& settings, Draw& draw, GeneratedCounts& counts,
             const std::function<void(std::string_view)>& emit, std::uint64_t case_number, Timestamp start)
      : settings_(settings), draw_(draw), counts_(counts), emit_(emit),
        case_id_("CASE-" + std::to_string(settings.seed) + "-" + std::to_string(case_number)), now_(start) {}

  void handoff(std::string_view from, std::string_view to) {
    advance(draw_.around(2h));
    write(make(schemas::Handoff{std::string(from), std::string(to), std::nullopt}));
  }

  /// A request from -> to and, usually, its response. Returns true when it ended resolved.
  bool request(std::string_view from, std::string_view to, double decline_probability, std::string_view topic) {
    advance(draw_.around(1h));
    schemas::Event asked = make(schemas::Request{std::string(from), std::string(to), "", std::string(topic),
                                                 now_ + schemas::kDefaultSla, false});
    auto& body = std::get<schemas::Request>(asked.body);
    body.request_id = asked.event_id;
    if (draw_.chance(0.04)) {  // never answered: open, or expired once time moves past its deadline
      write(asked);
      return false;
    }
    schemas::Outcome outcome = schemas::Outcome::resolved;
    std::optional<std::string> redirect_to;
    if (draw_.chance(decline_probability)) {
      outcome = schemas::Outcome::declined;
    } else if (const std::string_view pointed_to = draw_.other_than(kCorporate, to);
               pointed_to != from && draw_.chance(0.05)) {
      outcome = schemas::Outcome::redirected;
      redirect_to = std::string(pointed_to);
    }
    advance(draw_.around(4h));
    schemas::Event answer = make(schemas::Response{std::string(to), std::string(from), body.request_id, outcome,
                                                   redirect_to, std::nullopt});
    if (draw_.chance(settings_.out_of_order_rate)) {
      write(answer);  // the response overtakes its request on the way
      write(asked);
    } else {
      write(asked);
      write(answer);
    }
    return outcome == schemas::Outcome::resolved;
  }

  void feedback(bool solved) {
    advance(draw_.around(24h));
    write(make(schemas::Feedback{solved, std::nullopt, std::nullopt}));
  }

  void andon(std::string_view from, std::string_view about, std::string_view reason) {
    advance(draw_.around(30min));
    write(make(schemas::Andon{std::string(from), std::string(about), draw_.chance(0.2) ? schemas::Severity::stop : schemas::Severity::high,
                              std::string(reason)}));
  }

 private:
  void advance(std::chrono::seconds by) { now_ += by; }

  template <typename Body>
  schemas::Event make(Body body) {
    schemas::Event event;
    event.event_id = case_id_ + "-" + std::to_string(sequence_++);
    event.occurred_at = now_;
    event.case_id = case_id_;
    event.source = "relmap-generate";
    event.body = std::move(body);
    return event;
  }

  void write(const schemas::Event& event) {
    if (draw_.chance(settings_.invalid_rate)) {
      // An invalid record beside the valid one: the stream must survive it.
      static constexpr std::string_view kBroken[] = {
          R"({"event_id":"broken","type":"request","v":1,"occurred_at":"yesterday","case_id":"x","source":"gen","from":"A","to":"B"})",
          R"({"event_id":"broken-2","type":"complaint","v":1,"occurred_at":"2026-01-05T00:00:00Z","case_id":"x","source":"gen"})",
          R"({"event_id": "truncated",)",
          R"({"event_id":"self","type":"handoff","v":1,"occurred_at":"2026-01-05T00:00:00Z","case_id":"x","source":"gen","from":"IT","to":"IT"})"};
      emit_(kBroken[draw_.below(std::size(kBroken))]);
      ++counts_.invalid;
    }
    const std::string json = schemas::to_json(event);
    emit_(json);
    ++counts_.events;
    if (draw_.chance(settings_.duplicate_rate)) {
      emit_(json);  // at-least-once delivery upstream: the same event again
      ++counts_.duplicates;
    }
  }

  const GeneratorSettings& settings_;
  Draw& draw_;
  GeneratedCounts& counts_;
  const std::function<void(std::string_view)>& emit_;
  std::string case_id_;
  Timestamp now_;
  int sequence_ = 0;
};

double decline_probability(std::string_view asked) { return asked == planted::kNotMyRoleHotspot ? 0.5 : 0.04; }

void front_office_case(CaseWriter& out, Draw& draw) {
  std::string_view owner = draw.one_of({"Service Desk", "Sales", "Customer Care"});
  bool solved = true;
  const std::size_t steps = 1 + draw.below(3);
  for (std::size_t step = 0; step < steps; ++step) {
    // Requests to other departments: mostly the own cluster, sometimes corporate or operations.
    const std::size_t requests = draw.below(3);
    for (std::size_t r = 0; r < requests; ++r) {
      const Departments& cluster = draw.chance(0.6) ? kFrontOffice : (draw.chance(0.6) ? kCorporate : kOperations);
      const std::string_view asked = draw.other_than(cluster, owner);
      solved = out.request(owner, asked, decline_probability(asked), draw.chance(0.5) ? "refund" : "contract question") && solved;
    }
    const Departments& next_cluster = draw.chance(0.75) ? kFrontOffice : kOperations;
    const std::string_view next = draw.other_than(next_cluster, owner);
    out.handoff(owner, next);
    owner = next;
  }
  if (draw.chance(0.7)) out.feedback(solved ? draw.chance(0.85) : draw.chance(0.3));
}

void ping_pong_case(CaseWriter& out, Draw& draw) {
  out.handoff("Service Desk", planted::kPingPong[0]);
  const std::size_t bounces = 2 + draw.below(3);
  for (std::size_t bounce = 0; bounce < bounces; ++bounce) {
    out.handoff(planted::kPingPong[bounce % 2], planted::kPingPong[(bounce + 1) % 2]);
  }
  if (draw.chance(0.7)) out.feedback(draw.chance(0.4));
}

void imbalance_case(CaseWriter& out, Draw& draw) {
  const std::size_t requests = 1 + draw.below(3);
  for (std::size_t r = 0; r < requests; ++r) out.request(planted::kTaker, planted::kGiver, 0.02, "laptop access");
  if (draw.chance(0.05)) out.request(planted::kGiver, planted::kTaker, 0.3, "licence count");
}

void operations_case(CaseWriter& out, Draw& draw) {
  std::string_view owner = draw.one_of(kOperations);
  const std::size_t steps = 1 + draw.below(3);
  for (std::size_t step = 0; step < steps; ++step) {
    if (draw.chance(0.5)) {
      const std::string_view asked = draw.chance(0.8) ? draw.other_than(kOperations, owner) : draw.one_of(kCorporate);
      out.request(owner, asked, decline_probability(asked), "stock level");
    }
    const std::string_view next = draw.other_than(kOperations, owner);
    out.handoff(owner, next);
    owner = next;
  }
  if (draw.chance(0.08)) out.andon("Production", "Procurement", "parts missing on the line");
}

void silo_case(CaseWriter& out, Draw& draw) {
  std::string_view owner = draw.one_of(kSilo);
  const std::size_t steps = 2 + draw.below(3);
  for (std::size_t step = 0; step < steps; ++step) {
    out.request(owner, draw.other_than(kSilo, owner), 0.02, "prototype");
    const std::string_view next = draw.other_than(kSilo, owner);
    out.handoff(owner, next);
    owner = next;
  }
  // The silo's only outside contact: a rare question to Legal.
  if (draw.chance(0.1)) out.request(owner, planted::kNotMyRoleHotspot, decline_probability(planted::kNotMyRoleHotspot), "patent filing");
}

void island_case(CaseWriter& out, Draw& draw) {
  out.handoff(kIsland[0], kIsland[1]);
  if (draw.chance(0.5)) out.request(kIsland[1], kIsland[0], 0.02, "retention period");
}

}  // namespace

GeneratedCounts generate_organisation(const GeneratorSettings& settings,
                                      const std::function<void(std::string_view record)>& emit) {
  Draw draw(settings.seed);
  GeneratedCounts counts;
  const auto spacing = std::chrono::duration_cast<std::chrono::microseconds>(settings.span) /
                       static_cast<std::int64_t>(std::max<std::uint64_t>(settings.cases, 1));
  for (std::uint64_t number = 0; number < settings.cases; ++number) {
    const Timestamp start = settings.start + spacing * static_cast<std::int64_t>(number);
    CaseWriter out(settings, draw, counts, emit, number, start);
    const double kind = draw.unit();
    if (kind < 0.50) {
      front_office_case(out, draw);
    } else if (kind < 0.60) {
      ping_pong_case(out, draw);
    } else if (kind < 0.70) {
      imbalance_case(out, draw);
    } else if (kind < 0.88) {
      operations_case(out, draw);
    } else if (kind < 0.97) {
      silo_case(out, draw);
    } else {
      island_case(out, draw);
    }
    ++counts.cases;
  }
  return counts;
}

std::string organisation_directory_csv() {
  struct Unit {
    std::string_view name;
    Departments departments;
    bool customer_facing;
  };
  Departments supply_chain = kOperations;
  supply_chain.emplace_back(planted::kMisplacedInOrgChart);
  Departments corporate = kCorporate;
  corporate.insert(corporate.end(), kIsland.begin(), kIsland.end());
  corporate.emplace_back(planted::kSilentDepartment);
  Departments research;
  for (const auto department : kSilo) {
    if (department != planted::kMisplacedInOrgChart) research.push_back(department);
  }
  const std::vector<Unit> units = {{"Customer Operations", kFrontOffice, true},
                                   {"Supply Chain", supply_chain, false},
                                   {"Corporate Services", corporate, false},
                                   {"Research & Development", research, false}};
  const std::map<std::string_view, std::string_view> names = {{"IT", "Information Technology"}, {"HR", "Human Resources"}};
  std::string csv = "id,name,unit,customer_facing\n";
  for (const auto& unit : units) {
    for (const auto department : unit.departments) {
      const auto name = names.count(department) ? names.at(department) : department;
      csv.append(department).append(",").append(name).append(",\"").append(unit.name).append("\",");
      csv.append(unit.customer_facing ? "true\n" : "false\n");
    }
  }
  return csv;
}

}  // namespace relmap::producer
