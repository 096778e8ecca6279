#include "relmap/consumer/department_name.hpp"

#include <mutex>
#include <unordered_set>

namespace relmap::consumer {
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
  auto& names = pool();
  const std::lock_guard lock(names.mutex);
  if (const auto known = names.names.find(name); known != names.names.end()) return &*known;
  return &*names.names.emplace(name).first;
}

}  // namespace

DepartmentName::DepartmentName() : text_(intern({})) {}

DepartmentName::DepartmentName(std::string_view name) : text_(intern(name)) {}

}  // namespace relmap::consumer
