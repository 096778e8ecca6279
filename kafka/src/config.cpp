#include "relmap/kafka/config.hpp"

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
    throw std::invalid_argument("expected key=value, got '" + std::string(assignment) + "'");
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
