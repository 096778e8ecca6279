#include "progress.hpp"

#include <unistd.h>

namespace relmap::app {

ProgressLine::ProgressLine()
    : enabled_(::isatty(STDERR_FILENO) == 1), started_(std::chrono::steady_clock::now()), next_draw_(started_) {}

void ProgressLine::update(std::uint64_t records, std::uint64_t rejected) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + std::chrono::milliseconds{500};
  const double seconds = std::chrono::duration<double>(now - started_).count();
  std::fprintf(stderr, "\r\033[K%llu records, %.0f/s, %llu rejected", static_cast<unsigned long long>(records),
               seconds > 0 ? static_cast<double>(records) / seconds : 0.0, static_cast<unsigned long long>(rejected));
}

void ProgressLine::finish() {
  if (enabled_) std::fputs("\r\033[K", stderr);
}

}  // namespace relmap::app
