#include "relmap/consumer/department_name.hpp"

#include <mutex>
#include <unordered_set>

namespace relmap::consumer {
namespace {

struct NamePool {
  std::mutex mutex;
  std::unordered_set<std::string> names;  // nodes never move: handles stay valid
};

NamePool& pool() {
  static NamePool names;
  return names;
}

const std::string* intern(std::string_view name) {
  auto& names = pool();
  const std::lock_guard lock(names.mutex);
  return &*names.names.emplace(name).first;
}

}  // namespace

DepartmentName::DepartmentName() : text_(intern({})) {}

DepartmentName::DepartmentName(std::string_view name) : text_(intern(name)) {}

}  // namespace relmap::consumer
