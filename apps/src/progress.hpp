#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace relmap::app {

/// A one-line progress report on stderr, rewritten in place twice a second, only when stderr is a
/// terminal (quiet in pipes, logs and CI).
class ProgressLine {
 public:
  ProgressLine();
  /// Redraws when due: records so far, their rate, rejects.
  void update(std::uint64_t records, std::uint64_t rejected);
  /// Clears the line.
  void finish();

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point next_draw_;
};

}  // namespace relmap::app
