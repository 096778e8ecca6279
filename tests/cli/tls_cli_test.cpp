// HTTPS at the command line: relmap serve with --tls-cert and --tls-key prints an https:// address
// and answers curl, which verifies the certificate the test made for 127.0.0.1.
#include <csignal>
#include <cstdlib>

#include <gtest/gtest.h>

#include "../support/kafka_support.hpp"
#include "../support/temp_path.hpp"

namespace relmap {
namespace {

using namespace std::chrono_literals;
using relmap::testing::run_command;
using relmap::testing::TempPath;

const std::string kRelmap = RELMAP_BINARY;

TEST(TlsCommandLine, ServeAnswersHttpsWithTheGivenCertificate) {
  const TempPath key("tls-cli.key");
  const TempPath chain("tls-cli.crt");
  run_command("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
              key.str() + " -out " + chain.str() + " 2>/dev/null");
  const TempPath output("tls-cli.out");
  const int pid = relmap::testing::spawn(
      {kRelmap, "--log-level", "warn", "serve", "--events", std::string(RELMAP_TEST_DATA_DIR) + "/events/chains.jsonl",
       "--insecure-no-auth", "--listen", "127.0.0.1:0", "--tls-cert", chain.str(), "--tls-key", key.str()},
      output.str());
  const std::string line = relmap::testing::wait_for_line(output.str(), "https://", 20s);
  ASSERT_NE(line.find("https://127.0.0.1:"), std::string::npos) << line;
  const std::string address = line.substr(line.find("https://"), line.find('/', line.find("https://") + 8) - line.find("https://"));
  EXPECT_EQ(run_command("curl -s -o /dev/null -w '%{http_code}' --cacert " + chain.str() + " " + address + "/api/v1/graph"), "200");
  EXPECT_NE(run_command("curl -s -o /dev/null -w '%{http_code}' " + address + "/api/v1/graph || true"), "200")
      << "an unverified certificate is refused by curl";
  EXPECT_EQ(relmap::testing::stop_process(pid, SIGTERM), 0);
  EXPECT_NE(run_command(kRelmap + " serve --events " + std::string(RELMAP_TEST_DATA_DIR) + "/events/chains.jsonl --tls-cert " + chain.str() + " 2>&1 || true").find("--tls-key"),
            std::string::npos) << "a certificate needs its key";
}

}  // namespace
}  // namespace relmap
