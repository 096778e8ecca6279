#include "relmap/common/logging.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace relmap {

std::shared_ptr<spdlog::logger> logger(const std::string& module) {
  // spdlog's registry is the single owner; the mutex makes get-or-create atomic.
  static std::mutex creation;
  std::lock_guard lock{creation};
  if (auto existing = spdlog::get(module)) return existing;
  auto created = spdlog::stderr_color_mt(module);
  created->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v");
  return created;
}

void set_log_level(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

}  // namespace relmap
