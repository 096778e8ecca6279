#include "stop_signals.hpp"

#include <pthread.h>

namespace relmap::app {

StopSignals::StopSignals() {
  sigemptyset(&signals_);
  sigaddset(&signals_, SIGINT);
  sigaddset(&signals_, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
}

const char* StopSignals::wait() const {
  int received = 0;
  sigwait(&signals_, &received);
  return received == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace relmap::app
