#include "relmap/producer/ingest_server.hpp"

#include <mutex>
#include <optional>
#include <stdexcept>

#include <boost/beast/http.hpp>
#include <openssl/crypto.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/common/json_text.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/utf8.hpp"

#include "relmap/common/logging.hpp"
#include "relmap/http/responses.hpp"
#include "relmap/kafka/client.hpp"
#include "relmap/schemas/cloud_event_binary.hpp"

namespace relmap::producer {
namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;

const auto& log() {
  static const auto logger = relmap::logger("ingest");
  return logger;
}

/// What happened to one record of a request.
struct RecordResult {
  enum class Status { pending, accepted, rejected, failed } status = Status::pending;
  std::string event_id;
  std::string code;
  std::string reason;
  std::optional<std::string> not_acknowledged;  ///< why Kafka did not take it (the events or the dead-letter topic)

  /// The status the answer gives, once both the verdict and the delivery report are in. An invalid
  /// record is final only once its dead letter is stored: until then it is not stored anywhere.
  void settle() {
    if (not_acknowledged) {
      reason = status == Status::rejected
                   ? "invalid (" + reason + "), and Kafka did not acknowledge it in the dead-letter topic: " + *not_acknowledged
                   : "Kafka did not acknowledge the event: " + *not_acknowledged;
      status = Status::failed;
      code = "not_stored";
    } else if (status == Status::pending) {
      status = Status::accepted;
    }
  }
};

/// The records of one request, waiting for their delivery reports; the last one answers.
struct PendingRequest {
  std::mutex mutex;
  std::vector<RecordResult> results;
  std::size_t outstanding = 0;
  http::Request request;  ///< the body is gone: what the answer needs (version, keep-alive)
  http::Respond respond;
};

/// The media type without parameters ("application/json; charset=utf-8" -> "application/json").
std::string media_type(const http::Request& request) {
  const std::string type(http::view_of(request[bhttp::field::content_type]));
  return type.substr(0, type.find(';'));
}

bool is_line_delimited(const std::string& type) {
  return type == "application/x-ndjson" || type == "application/jsonl" || type == "application/json-seq";
}

/// What a body may be: JSON (one event or an array), lines of JSON, or CloudEvents. A client that
/// says nothing is taken to send JSON.
bool is_accepted_media_type(const std::string& type) {
  return type.empty() || type == "application/json" || type == "application/cloudevents+json" ||
         type == "application/cloudevents-batch+json" || is_line_delimited(type);
}

/// A binary-mode CloudEvent (the CloudEvents HTTP binding): its attributes in ce-* headers.
bool is_binary_cloud_event(const http::Request& headers) {
  return headers.find("ce-specversion") != headers.end();
}

/// A binary-mode CloudEvent as its structured record (the decoder's input), or why it cannot be one.
Result<std::string, schemas::CloudEventProblem> binary_cloud_event_record(const http::Request& request) {
  std::vector<schemas::CloudEventAttribute> attributes;
  for (const auto& field : request) {
    const auto name = http::view_of(field.name_string());
    if (name.size() > 3 && (name[0] == 'c' || name[0] == 'C') && (name[1] == 'e' || name[1] == 'E') && name[2] == '-') {
      attributes.emplace_back(std::string(name.substr(3)), schemas::percent_decoded(http::view_of(field.value())));
    }
  }
  return schemas::structured_cloud_event(attributes, http::view_of(request[bhttp::field::content_type]), request.body(), "ce-");
}

/// Splits a request body into records, or says why it cannot.
std::optional<std::string> split_records(const std::string& type, const std::string& body, std::vector<std::string>& records) {
  if (is_line_delimited(type)) {
    std::size_t start = 0;
    while (start <= body.size()) {
      auto end = body.find('\n', start);
      if (end == std::string::npos) end = body.size();
      std::string line = body.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) records.push_back(std::move(line));
      start = end + 1;
    }
    return std::nullopt;
  }
  // An array of events is one level deeper than an event; a body deeper than that is refused here,
  // before a parser that recurses could exhaust the stack on it.
  if (const auto too_deep_at = find_json_text_faults(body, schemas::kMaxEventDepth + 1).too_deep_at) {
    return "the body nests arrays and objects deeper than " + std::to_string(schemas::kMaxEventDepth + 1) +
           " levels (at byte " + std::to_string(*too_deep_at) + ")";
  }
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (document.HasParseError() || (!document.IsArray() && !document.IsObject())) {
    // One record that is not JSON: the decoder gives the precise reason.
    records.push_back(body);
    return std::nullopt;
  }
  if (document.IsObject()) {
    if (type == "application/cloudevents-batch+json") return "a CloudEvents batch must be a JSON array";
    records.push_back(body);
    return std::nullopt;
  }
  for (const auto& element : document.GetArray()) {
    rapidjson::StringBuffer buffer;
    relmap::JsonTextWriter writer(buffer);
    element.Accept(writer);
    records.emplace_back(buffer.GetString(), buffer.GetSize());
  }
  return std::nullopt;
}

std::string results_json(const std::vector<RecordResult>& results, std::size_t accepted, std::size_t rejected,
                         std::size_t failed) {
  rapidjson::StringBuffer buffer;
  relmap::JsonTextWriter writer(buffer);
  writer.StartObject();
  writer.Key("accepted");
  writer.Uint64(accepted);
  writer.Key("rejected");
  writer.Uint64(rejected);
  writer.Key("failed");
  writer.Uint64(failed);
  writer.Key("results");
  writer.StartArray();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& result = results[i];
    writer.StartObject();
    writer.Key("index");
    writer.Uint64(i);
    if (!result.event_id.empty()) {
      writer.Key("event_id");
      const auto event_id = with_invalid_utf8_replaced(result.event_id);
      writer.String(event_id.c_str(), static_cast<rapidjson::SizeType>(event_id.size()));
    }
    writer.Key("status");
    switch (result.status) {
      case RecordResult::Status::accepted: writer.String("accepted"); break;
      case RecordResult::Status::rejected: writer.String("rejected"); break;
      case RecordResult::Status::failed:
      case RecordResult::Status::pending: writer.String("failed"); break;
    }
    if (!result.reason.empty()) {
      writer.Key("code");
      writer.String(result.code.c_str(), static_cast<rapidjson::SizeType>(result.code.size()));
      writer.Key("reason");
      const auto reason = with_invalid_utf8_replaced(result.reason);  // it may quote what was sent
      writer.String(reason.c_str(), static_cast<rapidjson::SizeType>(reason.size()));
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string error_json(std::string_view message) {
  JsonWriter json;
  json.start_object();
  json.field("error", with_invalid_utf8_replaced(message));  // it may quote a header the client sent
  json.end_object();
  return json.str();
}

/// The answer of a request whose records have all been decided.
http::Response answer_of(const PendingRequest& pending) {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  std::size_t failed = 0;
  for (const auto& result : pending.results) {
    accepted += result.status == RecordResult::Status::accepted ? 1 : 0;
    rejected += result.status == RecordResult::Status::rejected ? 1 : 0;
    failed += result.status == RecordResult::Status::failed || result.status == RecordResult::Status::pending ? 1 : 0;
  }
  const auto status = failed > 0 ? bhttp::status::service_unavailable : rejected > 0 ? bhttp::status::bad_request : bhttp::status::ok;
  auto response = http::make_response(pending.request, status, results_json(pending.results, accepted, rejected, failed),
                                      "application/json");
  if (failed > 0) response.set(bhttp::field::retry_after, "5");
  log()->debug("{} record(s): {} accepted, {} rejected, {} failed", pending.results.size(), accepted, rejected, failed);
  return response;
}

http::Response json_answer(const http::Request& request, bhttp::status status, std::string_view message) {
  return http::make_response(request, status, error_json(message), "application/json");
}

}  // namespace

void IngestSettings::validate() const {
  if (tokens.empty() && !allow_unauthenticated) {
    throw std::invalid_argument("no ingest token configured: give --token-file or RELMAP_INGEST_TOKENS "
                                "(or --insecure-no-auth for local use)");
  }
  if (port < 0 || port > 65535) throw std::invalid_argument("port out of range: " + std::to_string(port));
  if (max_body_bytes == 0) throw std::invalid_argument("the body size limit must be positive");
  if (http_threads == 0) throw std::invalid_argument("the HTTP threads must be at least one");
  if (body_timeout.count() <= 0) throw std::invalid_argument("the body timeout must be positive");
}

IngestServer::IngestServer(kafka::Config kafka_config, Topics topics, PublishSettings publish, IngestSettings settings)
    : settings_(std::move(settings)),
      kafka_config_(kafka_config),
      rate_limiter_(settings_.requests_per_second_per_token, settings_.burst_per_token) {
  settings_.validate();
  accepted_tokens_ = std::make_shared<const std::vector<std::string>>(settings_.tokens);
  // A request waits for its deliveries: they must end (acknowledged or failed) within the timeout.
  kafka_config.set("message.timeout.ms", std::to_string(settings_.delivery_timeout.count()));
  // A client waits for its events' acknowledgement: librdkafka's 5 ms of batching were most of a
  // single event's answer (6.8 ms, 2.8 with 1 ms); under load batches fill within the millisecond.
  kafka_config.set_default("linger.ms", "1");
  publisher_ = std::make_unique<EventPublisher>(std::move(kafka_config), std::move(topics), std::move(publish));
  http::ServerSettings server;
  server.host = settings_.host;
  server.port = settings_.port;
  server.threads = settings_.http_threads;
  server.max_connections = settings_.max_connections;
  server.tls_certificate_file = settings_.tls_certificate_file;
  server.tls_key_file = settings_.tls_key_file;
  server.max_body_bytes = settings_.max_body_bytes;
  server.body_timeout = settings_.body_timeout;
  server.read_timeout = settings_.idle_timeout;
  // Every delivery report comes within message.timeout.ms; the margin covers the last poll.
  server.handler_timeout = settings_.delivery_timeout + 5s;
  server_ = std::make_unique<http::Server>(
      server, [this](http::Request request, http::Respond respond) { handle(std::move(request), std::move(respond)); },
      [this](const http::Request& headers) { return check_headers(headers); });
}

IngestServer::~IngestServer() { stop(); }

void IngestServer::replace_tokens(std::vector<std::string> tokens) {
  if (tokens.empty() && !settings_.allow_unauthenticated) {
    throw std::invalid_argument("no ingest token in the new list: the tokens in use are kept");
  }
  accepted_tokens_ = std::make_shared<const std::vector<std::string>>(std::move(tokens));
}

bool IngestServer::authorised(std::string_view authorization) const {
  const std::string_view prefix = "Bearer ";
  bool authorised = false;
  if (authorization.size() > prefix.size() && authorization.substr(0, prefix.size()) == prefix) {
    const auto token = authorization.substr(prefix.size());
    const auto accepted_tokens = accepted_tokens_.load();
    for (const auto& accepted : *accepted_tokens) {
      // Constant-time comparison: response time must not leak how much of a token matched.
      authorised |= accepted.size() == token.size() && CRYPTO_memcmp(accepted.data(), token.data(), token.size()) == 0;
    }
  }
  return authorised;
}

// A request without a valid token, or of a type that cannot be events, is answered before its body
// is read; the body is then bounded in size (chunked or not) and in the time it may take to arrive.
std::optional<http::Response> IngestServer::check_headers(const http::Request& headers) const {
  if (headers.target() != "/v1/events" || headers.method() != bhttp::verb::post) return std::nullopt;
  if (!settings_.allow_unauthenticated && !authorised(http::view_of(headers[bhttp::field::authorization]))) {
    auto refused = json_answer(headers, bhttp::status::unauthorized, "a valid bearer token is required");
    refused.set(bhttp::field::www_authenticate, "Bearer");
    return refused;
  }
  // Each token its own allowance (without authentication, all clients share one).
  const auto authorization = http::view_of(headers[bhttp::field::authorization]);
  if (const auto wait = rate_limiter_.take(settings_.allow_unauthenticated ? std::string_view{} : authorization)) {
    auto refused = json_answer(headers, bhttp::status::too_many_requests,
                               "this token's requests are over the rate limit: try again after Retry-After seconds");
    refused.set(bhttp::field::retry_after, http::retry_after_seconds(*wait));
    return refused;
  }
  const std::string type = media_type(headers);
  if (is_binary_cloud_event(headers)) {
    if (type.empty() || type == "application/json" || type.ends_with("+json")) return std::nullopt;
    return json_answer(headers, bhttp::status::unsupported_media_type,
                       "a binary-mode CloudEvent's data must be JSON: send Content-Type application/json, not " + type);
  }
  if (!is_accepted_media_type(type)) {
    return json_answer(headers, bhttp::status::unsupported_media_type,
                       "Content-Type " + type + " is not events: send application/json, application/x-ndjson, "
                       "application/cloudevents+json or application/cloudevents-batch+json");
  }
  return std::nullopt;
}

void IngestServer::handle(http::Request request, http::Respond respond) {
  const auto target = http::view_of(request.target());
  if (target == "/healthz" && request.method() == bhttp::verb::get) {
    return respond(http::make_response(request, bhttp::status::ok, R"({"status":"ok"})", "application/json"));
  }
  // Ready when an accepted event can be stored: Kafka answers and both topics exist (a missing one
  // would fail every delivery after --delivery-timeout-ms).
  if (target == "/readyz" && request.method() == bhttp::verb::get) {
    std::string problem;
    try {
      if (const auto missing = producer::first_missing_topic(kafka_config_, publisher_->topics(), 2s)) {
        problem = "topic " + *missing + " does not exist";
      }
    } catch (const std::exception& error) {
      problem = std::string("Kafka unreachable: ") + error.what();
    }
    if (problem.empty()) return respond(http::make_response(request, bhttp::status::ok, R"({"status":"ready"})", "application/json"));
    return respond(json_answer(request, bhttp::status::service_unavailable, problem));
  }
  if (target == "/v1/events") {
    if (request.method() != bhttp::verb::post) {
      auto refused = json_answer(request, bhttp::status::method_not_allowed, "POST events here");
      refused.set(bhttp::field::allow, "POST");
      return respond(std::move(refused));
    }
    return publish_events(request, std::move(respond));
  }
  respond(json_answer(request, bhttp::status::not_found, "no such resource: POST /v1/events, GET /healthz, GET /readyz"));
}

void IngestServer::publish_events(const http::Request& request, http::Respond respond) {
  const std::string type = media_type(request);
  std::vector<std::string> records;
  if (is_binary_cloud_event(request)) {
    auto record = binary_cloud_event_record(request);
    if (!record.has_value()) return respond(json_answer(request, bhttp::status::bad_request, record.error().message));
    records.push_back(std::move(record).value());
  } else if (const auto problem = split_records(type, request.body(), records)) {
    return respond(json_answer(request, bhttp::status::bad_request, *problem));
  }
  if (records.empty()) return respond(json_answer(request, bhttp::status::bad_request, "no event in the request body"));

  auto pending = std::make_shared<PendingRequest>();
  pending->results.resize(records.size());
  // Two steps decide each record, in either order: its verdict (publish() returning) and its delivery
  // report. The last step of the request's records sends the answer, on whichever thread takes it.
  constexpr std::size_t kStepsPerRecord = 2;
  pending->outstanding = kStepsPerRecord * records.size();
  pending->request = http::Request(request.base());
  pending->respond = std::move(respond);
  const auto decided = [](PendingRequest& of, std::size_t steps) {
    of.outstanding -= steps;
    if (of.outstanding > 0) return;
    for (auto& result : of.results) result.settle();
    of.respond(answer_of(of));
  };
  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto on_delivered = [pending, i, decided](std::error_code error) {
      std::lock_guard lock{pending->mutex};
      if (error) pending->results[i].not_acknowledged = error.message();
      decided(*pending, 1);
    };
    try {
      const auto decoded = publisher_->publish(records[i], {"http", i + 1}, on_delivered);
      std::lock_guard lock{pending->mutex};
      if (decoded.has_value()) {
        pending->results[i].event_id = decoded.value();
      } else {
        pending->results[i].status = RecordResult::Status::rejected;
        pending->results[i].code = std::string(schemas::to_string(decoded.error().code));
        pending->results[i].reason = decoded.error().to_string();
      }
      decided(*pending, 1);
    } catch (const std::exception& error) {
      // Not even enqueued: no delivery report will come for it.
      std::lock_guard lock{pending->mutex};
      pending->results[i].status = RecordResult::Status::failed;
      pending->results[i].code = "not_stored";
      pending->results[i].reason = error.what();
      decided(*pending, kStepsPerRecord);
    }
  }
}

void IngestServer::start() {
  server_->start();
  running_ = true;
  delivery_server_ = std::thread([this] {
    while (running_) publisher_->serve_deliveries(100ms);
  });
  log()->info("listening on {}://{}:{}", settings_.tls_certificate_file.empty() ? "http" : "https", settings_.host,
              server_->port());
}

void IngestServer::stop() {
  // What is in flight is delivered first: its reports answer the clients still connected.
  if (running_ && publisher_) publisher_->flush(settings_.delivery_timeout);
  running_ = false;
  if (delivery_server_.joinable()) delivery_server_.join();
  if (server_) server_->stop();
}

}  // namespace relmap::producer
