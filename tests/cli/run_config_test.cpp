// relmap run's configuration, as a user meets it: the file, the environment, the flags, and the
// errors that name the key and the line.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using relmap::testing::TempPath;

const std::string kRelmap = RELMAP_BINARY;

struct Outcome {
  int status = -1;
  std::string output;  ///< stdout and stderr
};

Outcome run(const std::string& command) {
  Outcome outcome;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return outcome;
  char buffer[4096];
  for (std::size_t read; (read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) outcome.output.append(buffer, read);
  const int status = ::pclose(pipe);
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

/// Tests run in parallel, each file of a test beside the others: a name of its own for each.
std::string unique_file_name() {
  static int files = 0;
  return "relmap-run-config-" + std::to_string(::getpid()) + "-" + std::to_string(++files) + ".toml";
}

/// A configuration file with `text`, removed at the end of the test.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) : path_(unique_file_name()) { std::ofstream(path_.str()) << text; }
  const std::string& str() const { return path_.str(); }

 private:
  TempPath path_;
};

/// The line of `relmap run --print-config` that sets `key` ("roles", "serve.listen"), or "".
std::string printed_line(const std::string& printed, const std::string& key) {
  const auto dot = key.find('.');
  const auto section = dot == std::string::npos ? 0 : printed.find("\n[" + key.substr(0, dot) + "]\n");
  if (section == std::string::npos) return "";
  const auto start = printed.find("\n" + key.substr(dot + 1) + " = ", section);
  if (start == std::string::npos) return "";
  return printed.substr(start + 1, printed.find('\n', start + 1) - start - 1);
}

const std::string kMinimal = "roles = [\"aggregate\"]\n[kafka]\nbrokers = \"127.0.0.1:9092\"\n";

TEST(RunConfig, AnUnknownKeyIsAnErrorNamingTheFileLineAndTheKeyMeant) {
  const ConfigFile file(kMinimal + "[serve]\nlisen = \"0.0.0.0:8080\"\n");
  const auto outcome = run(kRelmap + " run --config " + file.str() + " --check");
  EXPECT_EQ(outcome.status, 2) << outcome.output;
  EXPECT_EQ(outcome.output, "relmap run: " + file.str() + ":5: unknown key serve.lisen (did you mean serve.listen?)\n");

  const ConfigFile unknown_section(kMinimal + "[sevre]\nlisten = \"0.0.0.0:8080\"\n");
  EXPECT_NE(run(kRelmap + " run --config " + unknown_section.str() + " --check").output.find(":4: unknown key sevre\n"),
            std::string::npos);
  const ConfigFile minimal(kMinimal);
  EXPECT_NE(run(kRelmap + " run --config " + minimal.str() + " --set serve.threads=2 --print-config").output.find(
                "relmap run: --set: unknown key serve.threads"),
            std::string::npos);
}

TEST(RunConfig, AValueOfTheWrongTypeNamesTheKeyTheLineAndWhatWasExpected) {
  const ConfigFile file(kMinimal + "[serve]\nhttp_threads = \"four\"\n");
  auto outcome = run(kRelmap + " run --config " + file.str() + " --check");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.output, "relmap run: " + file.str() + ":5: serve.http_threads: expected an integer, got a string\n");

  const ConfigFile roles_as_text("roles = \"serve\"\n");
  outcome = run(kRelmap + " run --config " + roles_as_text.str() + " --check");
  EXPECT_EQ(outcome.output, "relmap run: " + roles_as_text.str() + ":1: roles: expected an array of strings, got a string\n");

  const ConfigFile out_of_range(kMinimal + "[alerts]\ndead_end_rate = 1.5\n");
  outcome = run(kRelmap + " run --config " + out_of_range.str() + " --check");
  EXPECT_EQ(outcome.output, "relmap run: " + out_of_range.str() + ":5: alerts.dead_end_rate: must be from 0 to 1\n");

  const ConfigFile minimal(kMinimal);
  outcome = run("RELMAP_AGGREGATE_THREADS=many " + kRelmap + " run --config " + minimal.str() + " --print-config");
  EXPECT_EQ(outcome.output, "relmap run: RELMAP_AGGREGATE_THREADS: aggregate.threads: expected an integer, got \"many\"\n");
  outcome = run(kRelmap + " run --config " + out_of_range.str() + " --role billing");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_NE(outcome.output.find("billing not in {"), std::string::npos) << outcome.output;

  const ConfigFile not_toml(kMinimal + "[serve\n");
  outcome = run(kRelmap + " run --config " + not_toml.str() + " --check");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.output.rfind("relmap run: " + not_toml.str() + ":4:", 0), 0u) << outcome.output;
  EXPECT_NE(outcome.output.find("not TOML"), std::string::npos) << outcome.output;
}

TEST(RunConfig, AMissingRequiredValueNamesTheKeyAndWhereItCanBeGiven) {
  const ConfigFile no_roles("[kafka]\nbrokers = \"127.0.0.1:9092\"\n");
  auto outcome = run("env -u RELMAP_ROLES " + kRelmap + " run --config " + no_roles.str() + " --check");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_EQ(outcome.output, "relmap run: roles: required (in the file, RELMAP_ROLES or --set roles=...)\n");

  const ConfigFile no_brokers("roles = [\"aggregate\"]\n");
  outcome = run("env -u RELMAP_KAFKA_BROKERS " + kRelmap + " run --config " + no_brokers.str() + " --check");
  EXPECT_EQ(outcome.output, "relmap run: kafka.brokers: required (in the file, RELMAP_KAFKA_BROKERS or --set kafka.brokers=...)\n");

  // A role's own needs: serve answers nobody without tokens, unless told it is local.
  outcome = run(kRelmap + " run --config " + no_brokers.str() + " --set kafka.brokers=b:9092 --role serve --check");
  EXPECT_EQ(outcome.output,
            "relmap run: serve.token_file: required by the serve role (or serve.insecure_no_auth = true for local use)\n");
  outcome = run(kRelmap + " run --config " + no_brokers.str() + " --set kafka.brokers=b:9092 --set serve.token_file=/nonexistent --role serve --check");
  EXPECT_EQ(outcome.output, "relmap run: --set: serve.token_file: no such file: /nonexistent\n");
  outcome = run(kRelmap + " run --config " + no_brokers.str() +
                " --set kafka.brokers=b:9092 --set ingest.insecure_no_auth=true --set serve.insecure_no_auth=true"
                " --set ingest.listen=127.0.0.1:8080 --role ingest --role serve --check");
  EXPECT_EQ(outcome.output, "relmap run: serve.listen: the same address as ingest.listen (127.0.0.1:8080)\n");
  outcome = run(kRelmap + " run --config " + no_brokers.str() + " --set kafka.brokers=b:9092 --check");
  EXPECT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_EQ(outcome.output, "relmap run: the configuration is valid (roles: aggregate)\n");
}

TEST(RunConfig, TheEnvironmentOverridesTheFileAndFlagsOverrideBoth) {
  const ConfigFile file(kMinimal + "[serve]\nlisten = \"10.0.0.1:8080\"\nrefresh_seconds = 5\n");
  const std::string print = " run --config " + file.str() + " --print-config";

  auto printed = run(kRelmap + print).output;
  EXPECT_EQ(printed_line(printed, "serve.listen"), "listen = \"10.0.0.1:8080\"  # " + file.str() + ":5");
  EXPECT_EQ(printed_line(printed, "serve.refresh_seconds"), "refresh_seconds = 5.0  # " + file.str() + ":6");
  EXPECT_EQ(printed_line(printed, "serve.http_threads"), "http_threads = 4  # default");

  printed = run("RELMAP_SERVE_LISTEN=10.0.0.2:8080 " + kRelmap + print).output;
  EXPECT_EQ(printed_line(printed, "serve.listen"), "listen = \"10.0.0.2:8080\"  # RELMAP_SERVE_LISTEN");

  printed = run("RELMAP_SERVE_LISTEN=10.0.0.2:8080 " + kRelmap + print + " --set serve.listen=10.0.0.3:8080").output;
  EXPECT_EQ(printed_line(printed, "serve.listen"), "listen = \"10.0.0.3:8080\"  # --set");
  EXPECT_EQ(printed_line(printed, "roles"), "roles = [\"aggregate\"]  # " + file.str() + ":1");

  printed = run("RELMAP_ROLES=ingest,alerts " + kRelmap + print).output;
  EXPECT_EQ(printed_line(printed, "roles"), "roles = [\"ingest\", \"alerts\"]  # RELMAP_ROLES");
  printed = run("RELMAP_ROLES=ingest,alerts " + kRelmap + print + " --role serve").output;
  EXPECT_EQ(printed_line(printed, "roles"), "roles = [\"serve\"]  # --role");
}

TEST(RunConfig, KafkaPropertiesAddUpAcrossLayersAndSecretsAreNotPrinted) {
  const ConfigFile file(kMinimal + "[kafka.properties]\nsecurity.protocol = \"SASL_SSL\"\n\"sasl.password\" = \"hunter2\"\n"
                                   "\"linger.ms\" = 5\n");
  const auto outcome = run(kRelmap + " run --config " + file.str() + " --set kafka.properties.acks=all --print-config");
  EXPECT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_EQ(printed_line(outcome.output, "kafka.properties"),
            "properties = { \"linger.ms\" = \"5\", \"sasl.password\" = \"(hidden)\", \"security.protocol\" = \"SASL_SSL\", "
            "\"acks\" = \"all\" }  # " + file.str() + ":4, --set");
  EXPECT_EQ(outcome.output.find("hunter2"), std::string::npos);
}

TEST(RunConfig, WhatPrintConfigPrintsReadsBackAsTheSameConfiguration) {
  const ConfigFile file(kMinimal + "[ingest]\nmax_body_bytes = 1024\n[alerts]\ndead_end_rate = 0.25\n[log]\nformat = \"json\"\n");
  const auto first = run(kRelmap + " run --config " + file.str() + " --print-config");
  ASSERT_EQ(first.status, 0) << first.output;
  const ConfigFile printed(first.output);
  const auto second = run(kRelmap + " run --config " + printed.str() + " --print-config");
  ASSERT_EQ(second.status, 0) << second.output;
  // The same values; only where each came from differs.
  const auto values = [](const std::string& text) {
    std::string kept;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line[0] != '#') kept += line.substr(0, line.find("  # ")) + "\n";
    }
    return kept;
  };
  EXPECT_EQ(values(second.output), values(first.output));
  EXPECT_NE(values(first.output).find("\ndead_end_rate = 0.25\n"), std::string::npos) << first.output;
  EXPECT_NE(values(first.output).find("\nmax_body_bytes = 1024\n"), std::string::npos);
}

TEST(RunConfig, TheExampleInDeployUsesOnlyKeysRelmapKnows) {
  const std::string example = std::string(RELMAP_SOURCE_DIR) + "/deploy/relmap.toml";
  const auto printed = run(kRelmap + " run --config " + example + " --print-config");
  ASSERT_EQ(printed.status, 0) << printed.output;
  EXPECT_EQ(printed_line(printed.output, "log.format"), "format = \"json\"  # " + example + ":15");
  // Its files live on the production machine; given here, the example is a valid configuration.
  const TempPath secret("relmap-example-secret-" + std::to_string(::getpid()));
  std::ofstream(secret.str()) << "key\n";
  std::string files;
  for (const char* key : {"kafka.properties_file", "privacy.actor_key_file", "ingest.token_file", "serve.token_file"}) {
    files += std::string(" --set ") + key + "=" + secret.str();
  }
  const auto checked = run(kRelmap + " run --config " + example + files + " --check");
  EXPECT_EQ(checked.status, 0) << checked.output;
  EXPECT_EQ(checked.output, "relmap run: the configuration is valid (roles: ingest aggregate alerts serve)\n");
}

}  // namespace
}  // namespace relmap
