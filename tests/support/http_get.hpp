#pragma once
// A blocking GET against a relmap service on this machine, for tests that run the binary.

#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace relmap::testing {

/// GET on 127.0.0.1:port with a bearer token (none when empty); the status and the body, or status 0
/// when nothing answered.
inline std::pair<int, std::string> http_get(int port, const std::string& target, const std::string& token = "") {
  namespace bhttp = boost::beast::http;
  try {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, target, 11};
    request.set(bhttp::field::host, "localhost");
    if (!token.empty()) request.set(bhttp::field::authorization, "Bearer " + token);
    bhttp::write(stream, request);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream, buffer, response);
    return {response.result_int(), response.body()};
  } catch (const std::exception&) {
    return {0, ""};
  }
}

}  // namespace relmap::testing
