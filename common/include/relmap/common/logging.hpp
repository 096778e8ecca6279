#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace relmap {

/// The named logger of a module ("kafka", "consumer", ...), created on first use with the
/// process-wide sink (stderr) and level. Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& module);

/// Sets the level of every relmap logger, present and future ("trace" ... "off").
void set_log_level(const std::string& level);

}  // namespace relmap
