#include "relmap/kafka/config.hpp"

#include <cctype>
#include <fstream>
#include <stdexcept>

namespace relmap::kafka {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

bool names_secret(std::string_view key) {
  std::string lowered(key);
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // "pasword": a mistyped name is the one librdkafka refuses, and so the one a message would print.
  for (const std::string_view secret : {"password", "pasword", "passwd", "secret", "key", "token", "credential", "jaas"}) {
    if (lowered.find(secret) != std::string::npos) return true;
  }
  return false;
}

std::string printable_property(std::string_view key, std::string_view value) {
  return std::string(key) + "=" + (names_secret(key) ? std::string("(hidden)") : std::string(value));
}

Config& Config::set(std::string key, std::string value) {
  properties_[std::move(key)] = std::move(value);
  return *this;
}

Config& Config::set_default(std::string key, std::string value) {
  properties_.try_emplace(std::move(key), std::move(value));
  return *this;
}

Config& Config::set_assignment(std::string_view assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string_view::npos || equals == 0) {
    throw std::invalid_argument("expected key=value, got '" +
                                (names_secret(assignment) ? std::string("(hidden)") : std::string(assignment)) + "'");
  }
  return set(std::string(trim(assignment.substr(0, equals))), std::string(trim(assignment.substr(equals + 1))));
}

Config& Config::load_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read Kafka properties file " + path.string());
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const auto content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (content.find('=') == std::string_view::npos) {
      throw std::runtime_error(path.string() + ":" + std::to_string(number) + ": expected key=value");
    }
    set_assignment(content);
  }
  return *this;
}

std::string Config::get(const std::string& key, const std::string& fallback) const {
  const auto found = properties_.find(key);
  return found == properties_.end() ? fallback : found->second;
}

}  // namespace relmap::kafka
