#include "relmap/serve/snapshot.hpp"

#include "relmap/http/gzip.hpp"

namespace relmap::serve {

Snapshot::Snapshot(std::uint64_t version, std::shared_ptr<const aggregation::AggregatesBuilder> facts,
                   graph::Directory directory, std::optional<std::vector<Alert>> alerts, graph::MapSettings settings)
    : version_(version),
      built_at_(std::chrono::steady_clock::now()),
      facts_(std::move(facts)),
      directory_(std::move(directory)),
      settings_(settings) {
  const auto aggregates = facts_->build({});
  chains_ = aggregates.chains;
  map_ = std::make_shared<const graph::RelationshipMap>(graph::build_relationship_map(aggregates, settings_, directory_));
  findings_ = graph::headline_findings(*map_);
  graph_json_ = graph::to_json(*map_);
  graph_json_gzip_ = http::gzip(graph_json_);
  alerts_ = alerts ? std::move(*alerts) : alerts_of(*facts_, *map_);
}

std::shared_ptr<const graph::RelationshipMap> Snapshot::map_of(const graph::Window& window) const {
  if (!window.from && !window.to) return map_;
  const WindowKey key{window.from, window.to};
  {
    const std::lock_guard lock(windows_mutex_);
    if (const auto found = windows_.find(key); found != windows_.end()) return found->second;
  }
  // Drawn outside the lock: two requests for one new window may both draw it; the first one kept wins.
  auto drawn = std::make_shared<const graph::RelationshipMap>(
      graph::build_relationship_map(facts_->build(window), settings_, directory_));
  const std::lock_guard lock(windows_mutex_);
  if (windows_.size() >= kKeptWindows) windows_.erase(windows_.begin());
  return windows_.try_emplace(key, std::move(drawn)).first->second;
}

}  // namespace relmap::serve
