#pragma once
// The evidence behind the counts: the cases a figure counts, and one case's journey.

#include <string>

#include "query.hpp"
#include "relmap/serve/access.hpp"
#include "relmap/serve/snapshot.hpp"

namespace relmap::serve {

/// What GET /api/v1/cases asks, checked (400 for a bad value) before anything is answered.
struct CaseQuery {
  std::optional<std::string> department;
  std::string state;
  std::size_t limit = 0;
  std::optional<std::string> cursor;
};
CaseQuery case_query_of(const Query& query);

/// GET /api/v1/cases?department&state&limit&cursor: a page of cases, by case id. `department`: the
/// cases it took part in; `state`: solved, open, dead_end (with a department: the dead end was its),
/// declined (a request to the department, or to anyone, declined: "not my role"), ping_pong (with a
/// department: a case handed straight back to or from it). A department role sees only its cases.
std::string cases_json(const Snapshot& snapshot, CaseQuery query, const Principal& principal);

/// GET /api/v1/cases/{id}: the case's chain of owners, each handoff, each request with its outcome
/// and timings, its feedback and andon pulls. Refuses 404 for no such case, 403 for a department
/// role outside the case.
std::string case_json(const Snapshot& snapshot, const std::string& case_id, const Principal& principal);

}  // namespace relmap::serve
