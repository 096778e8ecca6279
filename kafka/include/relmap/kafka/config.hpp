#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace relmap::kafka {

/// librdkafka properties, passed through untouched (like kcat's -X and -F).
///
/// Later settings override earlier ones, so a caller applies defaults, then a file, then the
/// environment, then `-X` flags. Unknown or invalid properties are reported by librdkafka itself
/// when a client is created (KafkaException naming the property).
class Config {
 public:
  Config() = default;

  /// Sets one property.
  Config& set(std::string key, std::string value);
  /// Sets `key` only when it is not set yet (for defaults applied after the user's settings).
  Config& set_default(std::string key, std::string value);
  /// Parses "key=value" (a `-X` argument). Throws std::invalid_argument without '='.
  Config& set_assignment(std::string_view assignment);
  /// Reads a properties file: "key=value" per line, '#' comments and blank lines ignored.
  /// Throws std::runtime_error when the file cannot be read or a line has no '='.
  Config& load_file(const std::filesystem::path& path);

  bool contains(const std::string& key) const { return properties_.count(key) != 0; }
  std::string get(const std::string& key, const std::string& fallback = {}) const;
  const std::map<std::string, std::string>& properties() const { return properties_; }

 private:
  std::map<std::string, std::string> properties_;
};

/// True when a property's name says its value is a secret (password, secret, key, token,
/// credentials, jaas), misspelt as "pasword" too.
bool names_secret(std::string_view key);
/// "key=value" for messages, the value hidden when names_secret(key): a mistyped property must
/// not print a password to a log.
std::string printable_property(std::string_view key, std::string_view value);

}  // namespace relmap::kafka
