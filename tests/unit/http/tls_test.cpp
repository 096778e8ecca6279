// HTTPS: the same server with a certificate and key. The certificate is made here with openssl, for
// localhost; the client (cpp-httplib over OpenSSL) verifies it against that certificate.
#include <httplib.h>

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "relmap/http/responses.hpp"
#include "relmap/http/server.hpp"

namespace relmap::http {
namespace {

namespace bhttp = boost::beast::http;

struct Certificate {
  Certificate() {
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                                "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key + " -out " + chain +
                                " 2>/dev/null";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate");
  }
  ~Certificate() {
    std::filesystem::remove(key);
    std::filesystem::remove(chain);
  }
  std::string key = ::testing::TempDir() + "relmap-tls-test.key";
  std::string chain = ::testing::TempDir() + "relmap-tls-test.crt";
};

Server https_server(const Certificate& certificate) {
  ServerSettings settings;
  settings.port = 0;
  settings.tls_certificate_file = certificate.chain;
  settings.tls_key_file = certificate.key;
  return Server(settings, [](const Request& request) {
    return make_response(request, bhttp::status::ok, "hello over " + std::string(view_of(request.target())), "text/plain");
  });
}

TEST(Https, AnswersAVerifyingClientAndNothingThatIsNotTls) {
  const Certificate certificate;
  Server server = https_server(certificate);
  server.start();
  httplib::SSLClient client("127.0.0.1", server.port());
  client.set_ca_cert_path(certificate.chain.c_str());
  client.enable_server_certificate_verification(true);
  for (int i = 0; i < 3; ++i) {  // one kept connection, several requests
    const auto answer = client.Get("/tls");
    ASSERT_TRUE(answer) << httplib::to_string(answer.error());
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body, "hello over /tls");
  }
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(5, 0);
  const auto refused = plain.Get("/tls");
  EXPECT_FALSE(refused && refused->status == 200) << "plain HTTP got an answer from the HTTPS port";
  const auto again = client.Get("/after");
  ASSERT_TRUE(again) << "the server goes on after a client that was not TLS";
  EXPECT_EQ(again->status, 200);
}

TEST(Https, ACertificateWithoutItsKeyOrThatCannotBeReadIsAnErrorAtStart) {
  const Certificate certificate;
  ServerSettings settings;
  settings.port = 0;
  settings.tls_certificate_file = certificate.chain;
  Server without_key(settings, [](const Request& request) { return make_response(request, bhttp::status::ok, "", "text/plain"); });
  EXPECT_THROW(without_key.start(), std::runtime_error);
  settings.tls_key_file = certificate.chain;  // not a key
  Server wrong_key(settings, [](const Request& request) { return make_response(request, bhttp::status::ok, "", "text/plain"); });
  try {
    wrong_key.start();
    ADD_FAILURE() << "started with a certificate as its key";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot use the certificate"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace relmap::http
