#include "listen_option.hpp"

#include <charconv>
#include <stdexcept>

namespace relmap::app {

void add_tls_options(CLI::App& command, std::string& certificate_file, std::string& key_file) {
  auto* certificate = command.add_option("--tls-cert", certificate_file, "answer HTTPS with this certificate chain (PEM)")
                          ->check(CLI::ExistingFile);
  auto* key = command.add_option("--tls-key", key_file, "... and its private key (PEM)")->check(CLI::ExistingFile);
  certificate->needs(key);
  key->needs(certificate);
}

void add_rate_limit_options(CLI::App& command, double& requests_per_second, double& burst) {
  command.add_option("--requests-per-second", requests_per_second,
                     "requests a second each token may send on average (default 0: no limit); more get 429")
      ->check(CLI::NonNegativeNumber);
  command.add_option("--burst", burst, "requests a token may send at once within its rate")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
}

ListenAddress parse_listen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const auto invalid = [&] { return std::invalid_argument("--listen expects HOST:PORT, got '" + listen + "'"); };
  if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) throw invalid();
  ListenAddress address;
  address.host = listen.substr(0, colon);
  if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']') {
    address.host = address.host.substr(1, address.host.size() - 2);
  }
  const char* end = listen.data() + listen.size();
  const auto [rest, error] = std::from_chars(listen.data() + colon + 1, end, address.port);
  if (error != std::errc{} || rest != end || address.port < 0 || address.port > 65535) throw invalid();
  return address;
}

}  // namespace relmap::app
