#pragma once

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace relmap {

/// The named logger of a module ("kafka", "consumer", ...), created on first use with the
/// process-wide sink (stderr), level and format. Thread-safe.
std::shared_ptr<spdlog::logger> logger(const std::string& module);

/// Sets the level of every relmap logger, present and future ("trace" ... "off").
void set_log_level(const std::string& level);

/// How every relmap logger, present and future, writes a line: "text" (time, level, [module],
/// message) or "json" (one object per line: time, level, logger, message, for a log collector).
/// Throws std::invalid_argument for another name.
void set_log_format(const std::string& format);

}  // namespace relmap
