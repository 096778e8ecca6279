#pragma once
// An HTTP/1.1 server on Boost.Beast: asynchronous, so a slow or idle client holds a socket and a
// deadline, never a thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "relmap/http/shared_body.hpp"

namespace relmap::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<SharedBody>;
/// Answers one request. Called on the server's threads, several at once: it must be thread-safe and
/// quick (it holds one of ServerSettings::threads while it runs). An exception becomes a 500.
using Handler = std::function<Response(const Request&)>;
/// Gives the answer to one request, from any thread, once; later calls are ignored.
using Respond = std::function<void(Response)>;
/// Starts answering one request and returns; `respond` gives the answer when it is ready (for a
/// handler that waits on something else, such as Kafka's acknowledgements). Thread-safe and quick
/// as a Handler; an exception it throws becomes a 500.
using AsyncHandler = std::function<void(Request, Respond)>;
/// Looks at a request once its headers are in (`headers` has no body yet). A response it returns
/// refuses the request: it is sent without the body being read, and the connection closes.
using HeaderCheck = std::function<std::optional<Response>(const Request& headers)>;

struct ServerSettings {
  std::string host = "127.0.0.1";
  int port = 8080;               ///< 0: any free port (see Server::port())
  std::size_t threads = 2;       ///< run the handler; connections are not tied to them
  std::size_t max_connections = 1024;  ///< one more is closed as soon as it is accepted
  std::uint32_t max_header_bytes = 16 * 1024;   ///< larger headers get 431
  std::uint64_t max_body_bytes = 64 * 1024;     ///< larger bodies get 413, chunked or not
  /// A whole request (headers and body) must arrive within this time of the connection or of the
  /// previous answer; else the connection is closed. Bounds idle kept connections and slow senders.
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};  ///< a client that does not read its answer is dropped
  /// Once the headers are in, the body must arrive within this time, else 408 (and a close); without
  /// it, read_timeout covers the body too.
  std::optional<std::chrono::milliseconds> body_timeout;
  /// An AsyncHandler that has not answered by then gets 503 in its place.
  std::chrono::milliseconds handler_timeout{60000};
  /// HTTPS: the certificate chain and private key, PEM files. Both empty: plain HTTP. TLS 1.2 or
  /// later; the handshake counts against read_timeout.
  std::string tls_certificate_file;
  std::string tls_key_file;
};

/// Lifecycle: start() binds and serves in the background; stop() (or the destructor) closes the
/// listening socket and every connection, and joins the threads.
class Server {
 public:
  Server(ServerSettings settings, Handler handler);
  Server(ServerSettings settings, AsyncHandler handler, HeaderCheck check_headers = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Throws std::runtime_error when it cannot bind.
  void start();
  void stop();
  /// The bound port (useful with port 0).
  int port() const;
  std::size_t open_connections() const;

  struct Impl;  ///< opaque: the listener and the connections (src/server.cpp)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace relmap::http
