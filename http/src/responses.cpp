#include "relmap/http/responses.hpp"

#include "relmap/common/json_writer.hpp"
#include "relmap/common/utf8.hpp"

namespace relmap::http {
namespace {

namespace bhttp = boost::beast::http;

std::string error_body(std::string_view code, std::string_view message) {
  JsonWriter json;
  json.start_object();
  json.key("error");
  json.start_object();
  json.field("code", code);
  json.field("message", with_invalid_utf8_replaced(message));  // it may quote what a client sent
  json.end_object();
  json.end_object();
  return json.str();
}

}  // namespace

Response make_response(const Request& request, bhttp::status status, std::string body, std::string_view content_type) {
  Response response{status, request.version()};
  response.set(bhttp::field::server, "relmap");
  response.set(bhttp::field::content_type, std::string(content_type));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response error_response(const Request& request, bhttp::status status, std::string_view code, std::string_view message) {
  return make_response(request, status, error_body(code, message), "application/json");
}

Response error_response(bhttp::status status, std::string_view code, std::string_view message) {
  Response response{status, 11};
  response.set(bhttp::field::server, "relmap");
  response.set(bhttp::field::content_type, "application/json");
  response.keep_alive(false);  // what follows an unreadable request cannot be trusted to be a request
  response.body() = error_body(code, message);
  response.prepare_payload();
  return response;
}

}  // namespace relmap::http
