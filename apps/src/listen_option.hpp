#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace relmap::app {

/// A --listen value: HOST:PORT, the host possibly a bracketed IPv6 address.
struct ListenAddress {
  std::string host;
  int port = 0;
};

/// Throws std::invalid_argument for a value that is not HOST:PORT with a port from 0 to 65535.
ListenAddress parse_listen(const std::string& listen);

/// --requests-per-second and --burst: each token's allowance, more answered 429 with Retry-After.
void add_rate_limit_options(CLI::App& command, double& requests_per_second, double& burst);
/// --tls-cert and --tls-key: HTTPS with this certificate chain and key (PEM files).
void add_tls_options(CLI::App& command, std::string& certificate_file, std::string& key_file);

}  // namespace relmap::app
