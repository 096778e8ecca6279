#pragma once
// The long-running roles of relmap (ingest, aggregate, alerts, serve, and the demo's parts), run on
// threads of their own until a signal stops them: one role per command, or several for `relmap run`.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace relmap::app {

/// What a running role looks at: whether it is to stop, and how often it was asked to reload what
/// it reads from files (tokens) since the start. Thread-safe.
class Lifetime {
 public:
  void stop() { stopping_ = true; }
  bool stopping() const { return stopping_; }
  /// For a loop that takes the flag itself (the aggregator's).
  const std::atomic<bool>& stop_flag() const { return stopping_; }
  /// Sleeps up to `duration` in short steps; true as soon as the role is to stop.
  bool wait_for(std::chrono::milliseconds duration) const;

  void request_reload() { ++reloads_; }
  std::uint64_t reloads() const { return reloads_; }

 private:
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> reloads_{0};
};

/// SIGINT, SIGTERM (stop) and SIGHUP (reload): blocked from construction on, so that only watch()
/// receives them. Construct it before any thread starts (threads inherit the blocked set).
class StopSignals {
 public:
  StopSignals();
  /// Until SIGINT or SIGTERM arrives, or `lifetime` is stopped otherwise: SIGHUP requests a reload.
  /// Stops `lifetime`; returns what stopped it ("SIGINT", "SIGTERM" or "stopped").
  const char* watch(Lifetime& lifetime) const;

 private:
  sigset_t signals_;
};

struct Role {
  std::string name;
  /// Runs until lifetime.stopping(); a role that returns or throws before that stops the others.
  std::function<void(const Lifetime&)> run;
};

/// Runs each role on a thread of its own until a stop signal, or until one role ends; then stops
/// and joins every role. Rethrows the first failure of a role (after the others have stopped).
void run_roles(const std::vector<Role>& roles, const StopSignals& signals, const std::string& process_name);

}  // namespace relmap::app
