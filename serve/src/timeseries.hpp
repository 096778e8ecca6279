#pragma once
// A department's or a relationship's figure over time, period by period.

#include <string>

#include "query.hpp"
#include "relmap/serve/access.hpp"
#include "relmap/serve/snapshot.hpp"

namespace relmap::serve {

/// GET /api/v1/departments/{id}/timeseries?metric&bucket&from&to&partner. Each bucket's figure is
/// the map's own (graph::relationship_statistics of that bucket's aggregates), drawn from the cases
/// the department took part in, which hold every event its figures count.
std::string timeseries_json(const Snapshot& snapshot, const std::string& department, const Query& query);

}  // namespace relmap::serve
