#pragma once
// relmap serve's loop, shared with relmap demo: the API and the pages over HTTP, following the topics.

#include <string>
#include <string_view>

#include "map_source.hpp"
#include "roles.hpp"
#include "relmap/http/server.hpp"

namespace relmap::app {

struct ServeOptions {
  MapSource source;
  std::string listen = "127.0.0.1:8080";
  std::string token_file;
  std::string web_root;  ///< empty: the build tree's or the installed pages, if there are any
  bool insecure_no_auth = false;
  double refresh_seconds = 2;
  double requests_per_second = 0;  ///< each token's, for the API; 0: no limit
  double burst = 50;
  http::ServerSettings http = [] {
    http::ServerSettings settings;
    settings.threads = 4;  // a window's map drawn for the first time holds one while others answer
    return settings;
  }();
};

/// Serves until `lifetime` stops: prints "NAME: http://HOST:PORT/" once listening, draws the first
/// snapshot (an event file: the only one; topics: followed every refresh interval); reads the token
/// file again on each reload.
void run_serve(ServeOptions& options, const Lifetime& lifetime, std::string_view name);

}  // namespace relmap::app
