#pragma once
// relmap run's configuration: every key, its type, default, and where its value came from.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "aggregate_command.hpp"
#include "alerts_command.hpp"
#include "ingest_command.hpp"
#include "kafka_options.hpp"
#include "serve_command.hpp"
#include "time_bounds_options.hpp"

namespace relmap::app {

/// What `relmap run` runs: the roles and each role's options, the Kafka options shared by all.
struct RunConfig {
  std::vector<std::string> roles;
  std::string log_level = "info";
  std::string log_format = "text";
  KafkaOptions kafka;
  TimeBoundsOptions time_bounds;
  IngestOptions ingest;
  AggregateOptions aggregate;
  AlertsOptions alerts = [] {
    AlertsOptions options;
    options.every_seconds = 60;  // a service evaluates again and again
    return options;
  }();
  ServeOptions serve;
};

/// A value that cannot be used. Its message names the key and where the value came from
/// ("relmap.toml:12", "RELMAP_SERVE_LISTEN", "--set"), never a secret it holds.
struct ConfigError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

/// The configuration, read in layers: defaults, then a TOML file, then RELMAP_* environment variables
/// (RELMAP_ and the key in capitals, dots as underscores: serve.listen is RELMAP_SERVE_LISTEN), then
/// assignments from the command line (--set serve.listen=0.0.0.0:8080). A later layer wins; an
/// unknown key, a value of the wrong type or out of range is a ConfigError at once.
class RunSettings {
 public:
  RunSettings();

  /// Throws ConfigError for a file that is not TOML, or an unknown key or bad value in it (with its line).
  void read_file(const std::string& path);
  /// Reads the variable of every key that has one; `lookup` is std::getenv in the program.
  void read_environment(const std::function<const char*(const char*)>& lookup);
  /// One KEY=VALUE from the command line, `origin` naming the flag ("--set", "--role").
  void assign(std::string_view assignment, std::string_view origin);

  /// Checks what no single value shows (required values, the roles' needs, addresses, files) and
  /// hands each role the shared options. Throws ConfigError.
  const RunConfig& finish();
  /// The configuration in effect as TOML: every key with its help and the origin of its value
  /// (secrets in Kafka properties hidden). What `relmap run --print-config` prints.
  std::string describe() const;

  static std::string environment_name(std::string_view key);

 private:
  enum class Kind { text, integer, number, boolean, list, properties };
  using Value = std::variant<std::string, std::int64_t, double, bool, std::vector<std::string>,
                             std::vector<std::pair<std::string, std::string>>>;
  struct Key {
    std::string name;  ///< section.key, or key at the top
    Kind kind = Kind::text;
    std::string help;
    std::vector<std::string> choices;  ///< for text and list values; empty: any
    double minimum = 0;
    double maximum = 0;  ///< for numbers; minimum == maximum: unbounded
    bool required = false;
    std::function<void(const Value&)> set;
    std::function<std::string()> show;  ///< the current value as a TOML value
    std::string origin = "default";
  };

  Key& add(std::string name, Kind kind, std::string help);
  void text(std::string name, std::string& target, std::string help, std::vector<std::string> choices = {});
  template <typename Integer>
  void integer(std::string name, Integer& target, std::string help, std::int64_t minimum, std::int64_t maximum);
  void number(std::string name, double& target, std::string help, double minimum, double maximum);
  void boolean(std::string name, bool& target, std::string help);
  void list(std::string name, std::vector<std::string>& target, std::string help, std::vector<std::string> choices);
  void properties(std::string name, std::vector<std::string>& target, std::string help);

  Key* find(std::string_view name);
  const Key& key(std::string_view name) const;
  /// Checks `value` against the key (type already matched) and stores it; throws ConfigError.
  void store(Key& key, Value value, const std::string& origin);
  Value parse_text(const Key& key, std::string_view text, const std::string& origin) const;
  std::string unknown_key_message(std::string_view name) const;

  RunConfig config_;
  std::vector<Key> keys_;
};

}  // namespace relmap::app
