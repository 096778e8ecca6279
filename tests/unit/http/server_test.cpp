// The HTTP server's limits: deadlines, sizes and connections, and that a slow client holds no thread.
#include "relmap/http/server.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <zlib.h>

#include "relmap/http/gzip.hpp"
#include "relmap/http/responses.hpp"

namespace relmap::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

Response echo_target(const Request& request) {
  if (request.target() == "/fail") throw std::runtime_error("the handler failed");
  return make_response(request, bhttp::status::ok, std::string(view_of(request.target())) + " " + std::to_string(request.body().size()),
                       "text/plain");
}

struct RunningServer {
  explicit RunningServer(ServerSettings settings) : server(adjusted(std::move(settings)), echo_target) { server.start(); }
  static ServerSettings adjusted(ServerSettings settings) {
    settings.port = 0;
    return settings;
  }
  Server server;
};

/// A client connection to the server.
struct Client {
  explicit Client(int port) : socket(io) { socket.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)}); }
  bhttp::response<bhttp::string_body> get(const std::string& target) {
    bhttp::request<bhttp::string_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, "localhost");
    bhttp::write(socket, request);
    return read();
  }
  bhttp::response<bhttp::string_body> read() {
    bhttp::response<bhttp::string_body> response;
    bhttp::read(socket, buffer, response);
    return response;
  }
  void send(std::string_view bytes) { asio::write(socket, asio::buffer(bytes.data(), bytes.size())); }
  /// Whether the server closed the connection (a read ends with EOF or a reset) within `within`.
  bool closed_within(std::chrono::milliseconds within) {
    socket.non_blocking(true);
    const auto deadline = std::chrono::steady_clock::now() + within;
    char byte;
    while (std::chrono::steady_clock::now() < deadline) {
      beast::error_code error;
      socket.read_some(asio::buffer(&byte, 1), error);
      if (error == asio::error::eof || error == asio::error::connection_reset) return true;
      if (error && error != asio::error::would_block) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
  asio::io_context io;
  tcp::socket socket;
  beast::flat_buffer buffer;
};

TEST(HttpServer, AnswersRequestsOnAKeptConnectionInOrder) {
  RunningServer running({});
  Client client(running.server.port());
  for (int i = 0; i < 100; ++i) {
    const auto response = client.get("/r" + std::to_string(i));
    ASSERT_EQ(response.result(), bhttp::status::ok);
    EXPECT_EQ(response.body(), "/r" + std::to_string(i) + " 0");
    EXPECT_TRUE(response.keep_alive());
  }
}

TEST(HttpServer, ASlowSenderHoldsNoThreadAndIsClosedAtTheDeadline) {
  ServerSettings settings;
  settings.threads = 1;
  settings.read_timeout = 500ms;
  RunningServer running(settings);
  Client slow(running.server.port());
  slow.send("GET / HTTP/1.1\r\nHost: x\r\n");
  // The one thread still answers others while the slow client trickles its headers.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(100ms);
    slow.send("X-Slow: 1\r\n");
    Client other(running.server.port());
    EXPECT_EQ(other.get("/other").result(), bhttp::status::ok);
  }
  EXPECT_TRUE(slow.closed_within(2s));
}

TEST(HttpServer, ClosesAKeptConnectionLeftIdlePastTheDeadline) {
  ServerSettings settings;
  settings.read_timeout = 300ms;
  RunningServer running(settings);
  Client client(running.server.port());
  EXPECT_EQ(client.get("/first").result(), bhttp::status::ok);
  EXPECT_TRUE(client.closed_within(2s));
}

TEST(HttpServer, RefusesABodyOverTheLimitChunkedOrNot) {
  ServerSettings settings;
  settings.max_body_bytes = 1000;
  RunningServer running(settings);
  {
    Client client(running.server.port());
    client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
    const auto response = client.read();
    EXPECT_EQ(response.result(), bhttp::status::payload_too_large);
    EXPECT_NE(response.body().find("\"code\":\"body_too_large\""), std::string::npos);
  }
  {
    Client client(running.server.port());
    client.send("POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "400\r\n" + std::string(0x400, 'a') + "\r\n";
    client.send(chunk);
    EXPECT_EQ(client.read().result(), bhttp::status::payload_too_large);
  }
  Client within(running.server.port());
  within.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'b'));
  EXPECT_EQ(within.read().body(), "/x 1000");
}

TEST(HttpServer, RefusesHeadersOverTheLimit) {
  ServerSettings settings;
  settings.max_header_bytes = 2048;
  RunningServer running(settings);
  Client client(running.server.port());
  client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'h') + "\r\n\r\n");
  EXPECT_EQ(client.read().result(), bhttp::status::request_header_fields_too_large);
}

TEST(HttpServer, AnswersWhatIsNotHttpWith400AndCloses) {
  RunningServer running({});
  Client client(running.server.port());
  client.send("HELLO\r\n\r\n");
  const auto response = client.read();
  EXPECT_EQ(response.result(), bhttp::status::bad_request);
  EXPECT_FALSE(response.keep_alive());
}

TEST(HttpServer, ClosesConnectionsOverTheLimitAtOnce) {
  ServerSettings settings;
  settings.max_connections = 2;
  RunningServer running(settings);
  Client first(running.server.port());
  Client second(running.server.port());
  EXPECT_EQ(first.get("/a").result(), bhttp::status::ok);
  EXPECT_EQ(second.get("/b").result(), bhttp::status::ok);
  Client third(running.server.port());
  EXPECT_TRUE(third.closed_within(2s));
  EXPECT_EQ(running.server.open_connections(), 2u);
}

TEST(HttpServer, AHandlerThatThrowsGetsAJson500AndTheServerGoesOn) {
  RunningServer running({});
  Client client(running.server.port());
  const auto failed = client.get("/fail");
  EXPECT_EQ(failed.result(), bhttp::status::internal_server_error);
  EXPECT_EQ(failed[bhttp::field::content_type], "application/json");
  EXPECT_EQ(client.get("/after").result(), bhttp::status::ok);
}

TEST(HttpServer, AnErrorQuotingBytesThatAreNotUtf8IsStillJson) {
  const auto response = error_response(bhttp::status::bad_request, "bad", "the client sent \xFF\xFE");
  EXPECT_EQ(response.body(), "{\"error\":{\"code\":\"bad\",\"message\":\"the client sent \xEF\xBF\xBD\xEF\xBF\xBD\"}}");
}

TEST(HttpServer, StopsWhileConnectionsAreOpen) {
  auto running = std::make_unique<RunningServer>(ServerSettings{});
  Client idle(running->server.port());
  idle.send("GET / HTTP/1.1\r\n");
  running.reset();  // joins its threads; the half-sent request is dropped
  EXPECT_TRUE(idle.closed_within(2s));
}

TEST(HttpServer, AnAsynchronousHandlerAnswersFromAnotherThreadLater) {
  ServerSettings settings;
  settings.port = 0;
  settings.threads = 1;
  std::vector<std::thread> answering;
  std::mutex mutex;
  Server server(settings, [&](Request request, Respond respond) {
    const std::lock_guard lock(mutex);
    answering.emplace_back([request = std::move(request), respond = std::move(respond)] {
      std::this_thread::sleep_for(200ms);
      respond(make_response(request, bhttp::status::ok, "later", "text/plain"));
      respond(make_response(request, bhttp::status::ok, "twice", "text/plain"));  // ignored
    });
  });
  server.start();
  Client waiting(server.port());
  Client other(server.port());
  waiting.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  other.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");  // answered while the first still waits
  EXPECT_EQ(other.read().body(), "later");
  EXPECT_EQ(waiting.read().body(), "later");
  EXPECT_EQ(waiting.get("/again").body(), "later") << "the ignored second answer did not take the next one's place";
  server.stop();
  for (auto& thread : answering) thread.join();
}

TEST(HttpServer, AHandlerThatNeverAnswersGets503AtItsTimeout) {
  ServerSettings settings;
  settings.port = 0;
  settings.handler_timeout = 300ms;
  Server server(settings, [](Request, Respond) {});
  server.start();
  Client client(server.port());
  const auto response = client.get("/never");
  EXPECT_EQ(response.result(), bhttp::status::service_unavailable);
  EXPECT_NE(response.body().find("no_answer"), std::string::npos);
}

TEST(HttpServer, AHeaderCheckRefusesBeforeTheBodyIsSent) {
  ServerSettings settings;
  settings.port = 0;
  std::atomic<int> handled{0};
  Server server(
      settings, [&](Request request, Respond respond) {
        ++handled;
        respond(make_response(request, bhttp::status::ok, "", "text/plain"));
      },
      [](const Request& headers) -> std::optional<Response> {
        if (headers[bhttp::field::authorization] == "Bearer ok") return std::nullopt;
        return error_response(headers, bhttp::status::unauthorized, "unauthorized", "no");
      });
  server.start();
  Client refused(server.port());
  refused.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");  // and no body
  const auto answer = refused.read();
  EXPECT_EQ(answer.result(), bhttp::status::unauthorized);
  EXPECT_FALSE(answer.keep_alive());
  Client allowed(server.port());
  allowed.send("POST /x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ok\r\nContent-Length: 2\r\n\r\n[]");
  EXPECT_EQ(allowed.read().result(), bhttp::status::ok);
  EXPECT_EQ(handled.load(), 1);
}

TEST(HttpServer, ABodySlowerThanItsTimeoutGets408) {
  ServerSettings settings;
  settings.body_timeout = 400ms;
  RunningServer running(settings);
  Client client(running.server.port());
  const auto started = std::chrono::steady_clock::now();
  client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[");
  const auto response = client.read();
  EXPECT_EQ(response.result(), bhttp::status::request_timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  Client quick(running.server.port());
  quick.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]");
  EXPECT_EQ(quick.read().body(), "/x 2");
}

std::string gunzip(const std::string& compressed) {
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 15 + 16), Z_OK);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

TEST(Gzip, CompressesToWhatZlibInflatesBack) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "relationship " + std::to_string(i % 97) + "\n";
  const auto compressed = gzip(text);
  EXPECT_LT(compressed.size(), text.size() / 4);
  EXPECT_EQ(gunzip(compressed), text);
  EXPECT_EQ(gunzip(gzip("")), "");
}

TEST(Gzip, ReadsAcceptEncodingWithItsQualities) {
  const auto accepts = [](const char* header) {
    Request request{bhttp::verb::get, "/", 11};
    if (header != nullptr) request.set(bhttp::field::accept_encoding, header);
    return accepts_gzip(request);
  };
  EXPECT_TRUE(accepts("gzip"));
  EXPECT_TRUE(accepts("br, GZIP;q=0.5"));
  EXPECT_TRUE(accepts("*"));
  EXPECT_FALSE(accepts(nullptr));
  EXPECT_FALSE(accepts("identity"));
  EXPECT_FALSE(accepts("gzip;q=0"));
  EXPECT_FALSE(accepts("gzip; q=0.0"));
  EXPECT_FALSE(accepts("x-gzip2"));
}

}  // namespace
}  // namespace relmap::http
