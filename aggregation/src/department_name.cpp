#include "relmap/aggregation/department_name.hpp"

#include <mutex>
#include <unordered_map>
#include <unordered_set>

namespace relmap::aggregation {
namespace {

/// Looks names up by string_view: a name seen before costs no allocation.
struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

struct NamePool {
  std::mutex mutex;
  std::unordered_set<std::string, NameHash, std::equal_to<>> names;  // nodes never move: handles stay valid
};

NamePool& pool() {
  static NamePool names;
  return names;
}

const std::string* intern(std::string_view name) {
  // Each thread remembers the handles it was given: the pool's lock is taken once per name and
  // thread rather than for every mention, which the aggregator's apply threads would contend for.
  thread_local std::unordered_map<std::string, const std::string*, NameHash, std::equal_to<>> seen;
  if (const auto known = seen.find(name); known != seen.end()) return known->second;
  auto& names = pool();
  const std::string* handle = nullptr;
  {
    const std::lock_guard lock(names.mutex);
    handle = &*names.names.emplace(name).first;
  }
  seen.emplace(name, handle);
  return handle;
}

}  // namespace

DepartmentName::DepartmentName() : text_(intern({})) {}

DepartmentName::DepartmentName(std::string_view name) : text_(intern(name)) {}

}  // namespace relmap::aggregation
