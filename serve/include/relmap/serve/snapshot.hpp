#pragma once
// What the service answers from: an immutable picture of the aggregates and the maps drawn from them.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/serve/alerts.hpp"
#include "relmap/graph/directory.hpp"
#include "relmap/graph/findings.hpp"
#include "relmap/graph/relationship_map.hpp"

namespace relmap::serve {

/// One version of the service's data. Built once with the analytics of the whole period; the maps
/// of other windows are drawn on first request and kept with it (up to kKeptWindows). Immutable to
/// its readers: any number of requests read one at once.
class Snapshot {
 public:
  static constexpr std::size_t kKeptWindows = 32;

  /// `alerts`: those of the alerts topic; without it, those the data holds (alerts_of).
  Snapshot(std::uint64_t version, std::shared_ptr<const aggregation::AggregatesBuilder> facts,
           graph::Directory directory, std::optional<std::vector<Alert>> alerts = std::nullopt,
           graph::MapSettings settings = {});

  std::uint64_t version() const { return version_; }
  std::chrono::steady_clock::time_point built_at() const { return built_at_; }
  const std::optional<Timestamp>& watermark() const { return facts_->watermark(); }
  const aggregation::AggregatesBuilder& facts() const { return *facts_; }

  /// The map of all the data, with its headline findings and its JSON (plain and gzip), ready.
  const graph::RelationshipMap& map() const { return *map_; }
  const graph::Findings& findings() const { return findings_; }
  const std::string& graph_json() const { return graph_json_; }
  const std::string& graph_json_gzip() const { return graph_json_gzip_; }

  /// Newest first.
  const std::vector<Alert>& alerts() const { return alerts_; }

  /// Every case's chain (owners, end, ping-pongs), by case key: what the case lists filter.
  const std::vector<graph::CaseChain>& chains() const { return chains_; }

  /// The map of one window (the whole period for an unbounded one).
  std::shared_ptr<const graph::RelationshipMap> map_of(const graph::Window& window) const;

 private:
  std::uint64_t version_;
  std::chrono::steady_clock::time_point built_at_;
  std::shared_ptr<const aggregation::AggregatesBuilder> facts_;
  graph::Directory directory_;
  graph::MapSettings settings_;
  std::vector<graph::CaseChain> chains_;
  std::shared_ptr<const graph::RelationshipMap> map_;
  graph::Findings findings_;
  std::string graph_json_;
  std::string graph_json_gzip_;
  std::vector<Alert> alerts_;

  using WindowKey = std::pair<std::optional<std::string>, std::optional<std::string>>;
  mutable std::mutex windows_mutex_;
  mutable std::map<WindowKey, std::shared_ptr<const graph::RelationshipMap>> windows_;
};

}  // namespace relmap::serve
