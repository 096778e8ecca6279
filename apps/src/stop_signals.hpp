#pragma once

#include <csignal>

namespace relmap::app {

/// SIGINT and SIGTERM for a server command: blocked from construction on, so that only wait()
/// receives them. Construct it before any thread starts (threads inherit the blocked set).
class StopSignals {
 public:
  StopSignals();
  /// Blocks until one arrives; returns its name ("SIGINT" or "SIGTERM").
  const char* wait() const;

 private:
  sigset_t signals_;
};

}  // namespace relmap::app
