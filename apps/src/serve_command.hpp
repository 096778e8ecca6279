#pragma once
// relmap serve's loop, shared with relmap demo: the API and the pages over HTTP, following the topics.

#include <string>
#include <string_view>

#include "map_source.hpp"
#include "stop_signals.hpp"
#include "relmap/http/server.hpp"

namespace relmap::app {

struct ServeOptions {
  MapSource source;
  std::string listen = "127.0.0.1:8080";
  std::string token_file;
  std::string web_root;  ///< empty: the build tree's or the installed pages, if there are any
  bool insecure_no_auth = false;
  double refresh_seconds = 2;
  http::ServerSettings http = [] {
    http::ServerSettings settings;
    settings.threads = 4;  // a window's map drawn for the first time holds one while others answer
    return settings;
  }();
};

/// Serves until a stop signal arrives: prints "NAME: http://HOST:PORT/" once listening, draws the first
/// snapshot (an event file: the only one; topics: followed every refresh interval).
void run_serve(ServeOptions& options, const StopSignals& stop_signals, std::string_view name);

}  // namespace relmap::app
