#include "relmap/http/server.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "relmap/common/logging.hpp"
#include "relmap/http/responses.hpp"

namespace relmap::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

const auto& log() {
  static const auto logger = relmap::logger("http");
  return logger;
}

}  // namespace

struct Server::Impl {
  Impl(ServerSettings chosen, Handler answer)
      : settings(std::move(chosen)), handler(std::move(answer)) {}
  Impl(ServerSettings chosen, AsyncHandler answer, HeaderCheck check)
      : settings(std::move(chosen)), async_handler(std::move(answer)), check_headers(std::move(check)) {}
  void accept();

  ServerSettings settings;
  std::optional<asio::ssl::context> tls;  ///< with a certificate: every connection is HTTPS
  Handler handler;             ///< answers at once, on the connection's strand; or else:
  AsyncHandler async_handler;  ///< answers later, through Respond
  HeaderCheck check_headers;
  std::atomic<std::size_t> connections{0};
  int port = 0;
  // Destroyed before the members above: the connections it still holds count themselves out.
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
};

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

/// One connection: read a request within the deadline, answer it, and again while both keep it
/// alive. `Stream` is beast::tcp_stream, or TlsStream for HTTPS (a handshake first).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... StreamArguments>
  Session(Server::Impl& server, StreamArguments&&... arguments)
      : stream_(std::forward<StreamArguments>(arguments)...),
        body_timer_(stream_.get_executor()),
        handler_timer_(stream_.get_executor()),
        server_(server) {
    ++server_.connections;
  }
  ~Session() { --server_.connections; }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (std::is_same_v<Stream, TlsStream>) {
        self->transport().expires_after(self->server_.settings.read_timeout);
        self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code error) {
          if (error) return;  // not TLS, or a handshake that failed: nothing can be answered
          self->read();
        });
      } else {
        self->read();
      }
    });
  }

 private:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

  beast::tcp_stream& transport() { return beast::get_lowest_layer(stream_); }

  void read() {
    parser_.emplace();
    parser_->header_limit(server_.settings.max_header_bytes);
    // With a header check, the size comes after it: a request it refuses learns nothing of the limit.
    if (server_.check_headers) {
      parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    } else {
      parser_->body_limit(server_.settings.max_body_bytes);
    }
    transport().expires_after(server_.settings.read_timeout);
    if (!server_.check_headers && !server_.settings.body_timeout) {  // nothing to do between headers and body
      bhttp::async_read(stream_, buffer_, *parser_,
                        [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_read(error); });
      return;
    }
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_header(error); });
  }

  void on_header(beast::error_code error) {
    if (error) return on_read(error);
    if (server_.check_headers) {
      const Request headers(parser_->get().base());
      std::optional<Response> refusal;
      try {
        refusal = server_.check_headers(headers);
      } catch (const std::exception& failure) {
        log()->error("checking the headers of {}: {}", std::string(headers.target()), failure.what());
        refusal = error_response(headers, bhttp::status::internal_server_error, "internal_error", "the server failed to answer");
      }
      if (refusal) {
        refusal->keep_alive(false);  // the unread body cannot be told from a next request
        return answer(std::move(*refusal));
      }
      if (parser_->content_length().value_or(0) > server_.settings.max_body_bytes) {
        return on_read(bhttp::error::body_limit);
      }
      parser_->body_limit(server_.settings.max_body_bytes);  // chunked: counted as it comes
    }
    if (const auto& body_timeout = server_.settings.body_timeout) {
      transport().expires_after(*body_timeout + server_.settings.read_timeout);  // the timer below answers first
      body_timer_.expires_after(*body_timeout);
      body_timer_.async_wait([self = shared_from_this()](beast::error_code waited) {
        if (waited || self->parser_->is_done()) return;
        self->body_too_slow_ = true;
        beast::error_code ignored;
        self->transport().socket().cancel(ignored);
      });
    }
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code read_error, std::size_t) { self->on_read(read_error); });
  }

  void on_read(beast::error_code error) {
    using bhttp::status;
    body_timer_.cancel();
    if (body_too_slow_) {
      return answer(error_response(status::request_timeout, "body_too_slow",
                                   "the body took longer than " + std::to_string(server_.settings.body_timeout->count()) +
                                       " ms to arrive"));
    }
    if (error == bhttp::error::body_limit) {
      return answer(error_response(status::payload_too_large, "body_too_large",
                                   "the body is larger than " + std::to_string(server_.settings.max_body_bytes) + " bytes"));
    }
    if (error == bhttp::error::header_limit) {
      return answer(error_response(status::request_header_fields_too_large, "headers_too_large",
                                   "the headers are larger than " + std::to_string(server_.settings.max_header_bytes) + " bytes"));
    }
    if (error) {
      // The client closed, went quiet past the deadline, or the server stops: nothing to answer.
      const bool gone = error == bhttp::error::end_of_stream || error == beast::error::timeout ||
                        error == asio::error::operation_aborted || error == asio::error::connection_reset ||
                        !parser_->got_some();
      if (gone) return close();
      return answer(error_response(status::bad_request, "bad_request", "not an HTTP/1.1 request: " + error.message()));
    }
    Request request = parser_->release();
    if (server_.handler) {
      Response response;
      try {
        response = server_.handler(request);
      } catch (const std::exception& failure) {
        log()->error("{} {}: {}", std::string(request.method_string()), std::string(request.target()), failure.what());
        response = error_response(request, status::internal_server_error, "internal_error", "the server failed to answer");
      }
      return answer(std::move(response));
    }
    const std::string what = std::string(request.method_string()) + " " + std::string(request.target());
    keep_alive_ = request.keep_alive();
    awaiting_ = true;
    handler_timer_.expires_after(server_.settings.handler_timeout);
    handler_timer_.async_wait([self = shared_from_this(), what](beast::error_code waited) {
      if (waited || !self->awaiting_) return;
      log()->error("{}: no answer within {} ms", what, self->server_.settings.handler_timeout.count());
      self->respond(error_response(status::service_unavailable, "no_answer", "the server did not answer in time"));
    });
    auto deliver = [self = shared_from_this()](Response response) {
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
    };
    try {
      server_.async_handler(std::move(request), std::move(deliver));
    } catch (const std::exception& failure) {
      log()->error("{}: {}", what, failure.what());
      auto failed = error_response(status::internal_server_error, "internal_error", "the server failed to answer");
      failed.keep_alive(keep_alive_);  // the request was read whole: the connection can go on
      respond(std::move(failed));
    }
  }

  /// The handler's answer, on this connection's strand: the first one counts.
  void respond(Response response) {
    if (!awaiting_) return;
    awaiting_ = false;
    handler_timer_.cancel();
    answer(std::move(response));
  }

  /// Writes the answer; then reads the next request if the answer keeps the connection alive.
  void answer(Response response) {
    response_ = std::move(response);
    response_.prepare_payload();
    transport().expires_after(server_.settings.write_timeout);
    bhttp::async_write(stream_, response_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error || !self->response_.keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // TLS's close_notify first, within the write timeout; then the socket, whatever came of it.
      transport().expires_after(server_.settings.write_timeout);
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->transport().socket().shutdown(tcp::socket::shutdown_send, ignored);
      });
    } else {
      beast::error_code ignored;
      transport().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  asio::steady_timer body_timer_;
  asio::steady_timer handler_timer_;
  bool body_too_slow_ = false;
  bool awaiting_ = false;  ///< a request is with the handler
  bool keep_alive_ = false;  ///< what the request with the handler asked
  Response response_;
  Server::Impl& server_;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(io), [this](beast::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (error) {
      log()->warn("accepting a connection failed: {}", error.message());
    } else if (connections.load() >= settings.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      // An answer goes out in more than one write: with Nagle's algorithm the last one would wait for
      // the client's delayed ACK (40 ms).
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (tls) {
        std::make_shared<Session<TlsStream>>(*this, std::move(socket), *tls)->start();
      } else {
        std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket))->start();
      }
    }
    accept();
  });
}

Server::Server(ServerSettings settings, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(handler))) {}

Server::Server(ServerSettings settings, AsyncHandler handler, HeaderCheck check_headers)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(handler), std::move(check_headers))) {}

Server::~Server() { stop(); }

void Server::start() {
  Impl& server = *impl_;
  const std::string where = server.settings.host + ":" + std::to_string(server.settings.port);
  if (!server.settings.tls_certificate_file.empty() || !server.settings.tls_key_file.empty()) {
    if (server.settings.tls_certificate_file.empty() || server.settings.tls_key_file.empty()) {
      throw std::runtime_error("HTTPS needs both a certificate and its key");
    }
    try {
      auto& tls = server.tls.emplace(asio::ssl::context::tls_server);
      tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                      asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
      tls.use_certificate_chain_file(server.settings.tls_certificate_file);
      tls.use_private_key_file(server.settings.tls_key_file, asio::ssl::context::pem);
    } catch (const boost::system::system_error& failure) {
      throw std::runtime_error("cannot use the certificate " + server.settings.tls_certificate_file + " and key " +
                               server.settings.tls_key_file + ": " + failure.code().message());
    }
  }
  try {
    tcp::resolver resolver(server.io);
    const auto endpoint = resolver.resolve(server.settings.host, std::to_string(server.settings.port))->endpoint();
    server.acceptor.open(endpoint.protocol());
    server.acceptor.set_option(asio::socket_base::reuse_address(true));
    server.acceptor.bind(endpoint);
    server.acceptor.listen(asio::socket_base::max_listen_connections);
    server.port = server.acceptor.local_endpoint().port();
  } catch (const boost::system::system_error& failure) {
    throw std::runtime_error("cannot listen on " + where + ": " + failure.code().message());
  }
  server.accept();
  for (std::size_t i = 0; i < std::max<std::size_t>(1, server.settings.threads); ++i) {
    server.threads.emplace_back([&server] { server.io.run(); });
  }
}

void Server::stop() {
  Impl& server = *impl_;
  if (server.threads.empty()) return;
  asio::post(server.io, [&server] {
    beast::error_code ignored;
    server.acceptor.close(ignored);
  });
  server.io.stop();
  for (auto& thread : server.threads) thread.join();
  server.threads.clear();
}

int Server::port() const { return impl_->port; }

std::size_t Server::open_connections() const { return impl_->connections.load(); }

}  // namespace relmap::http
