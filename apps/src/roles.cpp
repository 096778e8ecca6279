#include "roles.hpp"

#include <ctime>
#include <exception>
#include <mutex>
#include <thread>

#include <pthread.h>

#include "relmap/common/logging.hpp"

namespace relmap::app {

bool Lifetime::wait_for(std::chrono::milliseconds duration) const {
  const auto until = std::chrono::steady_clock::now() + duration;
  while (!stopping_) {
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
  }
  return true;
}

StopSignals::StopSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

const char* StopSignals::watch(Lifetime& lifetime) const {
  // A timed wait, so that a role that ended by itself (or failed) ends the watch too.
  const timespec step{0, 100'000'000};
  while (!lifetime.stopping()) {
    const int received = sigtimedwait(&signals_, nullptr, &step);
    if (received == SIGHUP) {
      relmap::logger("app")->info("SIGHUP: reloading the token files");
      lifetime.request_reload();
    } else if (received == SIGINT || received == SIGTERM) {
      lifetime.stop();
      return received == SIGINT ? "SIGINT" : "SIGTERM";
    }
  }
  return "stopped";
}

void run_roles(const std::vector<Role>& roles, const StopSignals& signals, const std::string& process_name) {
  Lifetime lifetime;
  std::mutex failure_mutex;
  std::exception_ptr first_failure;
  std::vector<std::thread> threads;
  threads.reserve(roles.size());
  for (const auto& role : roles) {
    threads.emplace_back([&, &role = role] {
      try {
        role.run(lifetime);
        if (!lifetime.stopping() && roles.size() > 1) {
          relmap::logger("app")->warn("{}: the {} role ended: stopping the others", process_name, role.name);
        }
      } catch (const std::exception& error) {
        // main() prints the message; with several roles, which one failed is news too.
        if (roles.size() > 1) relmap::logger("app")->error("{}: the {} role failed: {}", process_name, role.name, error.what());
        const std::lock_guard lock{failure_mutex};
        if (!first_failure) first_failure = std::current_exception();
      } catch (...) {
        const std::lock_guard lock{failure_mutex};
        if (!first_failure) first_failure = std::current_exception();
      }
      lifetime.stop();
    });
  }
  const char* reason = signals.watch(lifetime);
  if (std::string_view(reason) != "stopped") relmap::logger("app")->info("{}: stopping ({})", process_name, reason);
  for (auto& thread : threads) thread.join();
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace relmap::app
