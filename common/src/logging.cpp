#include "relmap/common/logging.hpp"

#include <atomic>
#include <mutex>
#include <stdexcept>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "relmap/common/json_writer.hpp"
#include "relmap/common/utf8.hpp"

namespace relmap {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e %^%l%$ [%n] %v";

/// %J: the message as a JSON string, quotes included. A message may quote what a client sent, which
/// need not be UTF-8: replaced, so that every line stays one valid JSON object.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&, spdlog::memory_buf_t& out) override {
    JsonWriter writer;
    writer.value(with_invalid_utf8_replaced(std::string_view(message.payload.data(), message.payload.size())));
    const std::string text = writer.str();
    out.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessageFlag>(); }
};

std::unique_ptr<spdlog::formatter> json_formatter() {
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<JsonMessageFlag>('J').set_pattern(
      R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n","message":%J})");
  return formatter;
}

std::atomic<bool> json_lines{false};

void apply_format(spdlog::logger& logger) {
  if (json_lines) {
    logger.set_formatter(json_formatter());
  } else {
    logger.set_pattern(kTextPattern);
  }
}

}  // namespace

std::shared_ptr<spdlog::logger> logger(const std::string& module) {
  // spdlog's registry is the single owner; the mutex makes get-or-create atomic.
  static std::mutex creation;
  std::lock_guard lock{creation};
  if (auto existing = spdlog::get(module)) return existing;
  auto created = spdlog::stderr_color_mt(module);
  apply_format(*created);
  return created;
}

void set_log_level(const std::string& level) { spdlog::set_level(spdlog::level::from_str(level)); }

void set_log_format(const std::string& format) {
  if (format != "text" && format != "json") throw std::invalid_argument("log format " + format + ": expected text or json");
  json_lines = format == "json";
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) { apply_format(*logger); });
}

}  // namespace relmap
