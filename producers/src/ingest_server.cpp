#include "relmap/producer/ingest_server.hpp"

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <sys/socket.h>
#include <system_error>

#include <httplib.h>
#include <openssl/crypto.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/common/json_text.hpp"
#include "relmap/common/json_writer.hpp"

#include "relmap/common/logging.hpp"
#include "relmap/kafka/client.hpp"

namespace relmap::producer {
namespace {

using namespace std::chrono_literals;

/// Requests one connection serves before it is closed (and the client connects again).
constexpr std::size_t kRequestsPerConnection = 10000;

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
};

/// The records of one request, waiting for their delivery reports.
struct PendingRequest {
  std::mutex mutex;
  std::condition_variable done;
  std::vector<RecordResult> results;
  std::size_t outstanding = 0;
};

/// The media type without parameters ("application/json; charset=utf-8" -> "application/json").
std::string media_type(const httplib::Request& request) {
  const std::string type = request.get_header_value("Content-Type");
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
      writer.String(result.event_id.c_str(), static_cast<rapidjson::SizeType>(result.event_id.size()));
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
      writer.String(result.reason.c_str(), static_cast<rapidjson::SizeType>(result.reason.size()));
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string error_json(std::string_view message) {
  rapidjson::StringBuffer buffer;
  relmap::JsonTextWriter writer(buffer);
  writer.StartObject();
  writer.Key("error");
  writer.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
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
    : settings_(std::move(settings)), kafka_config_(kafka_config) {
  settings_.validate();
  // A request waits for its deliveries: they must end (acknowledged or failed) within the timeout.
  kafka_config.set("message.timeout.ms", std::to_string(settings_.delivery_timeout.count()));
  // A client waits for its events' acknowledgement: librdkafka's 5 ms of batching were most of a
  // single event's answer (6.8 ms, 2.8 with 1 ms); under load batches fill within the millisecond.
  kafka_config.set_default("linger.ms", "1");
  publisher_ = std::make_unique<EventPublisher>(std::move(kafka_config), std::move(topics), std::move(publish));
  server_ = std::make_unique<httplib::Server>();
  server_->set_payload_max_length(settings_.max_body_bytes);
  // An answer goes out in more than one write: with Nagle's algorithm the last one waited for the
  // client's delayed ACK, 40 ms on every request but a connection's first (bench/README.md).
  server_->set_tcp_nodelay(true);
  // Integrations are told to keep their connection: the library's default closed it after 5 requests.
  server_->set_keep_alive_max_count(kRequestsPerConnection);
  // Each request holds its thread until Kafka acknowledges its events: the pool bounds the requests in
  // flight, and the library's default (8) left the cores idle while clients queued.
  server_->new_task_queue = [threads = settings_.http_threads] { return new httplib::ThreadPool(threads); };
  server_->set_socket_options([this](socket_t socket) {
    httplib::default_socket_options(socket);
    listening_socket_ = socket;
  });
  install_routes();
}

IngestServer::~IngestServer() { stop(); }

bool IngestServer::authorised(const httplib::Request& request) const {
  const std::string authorization = request.get_header_value("Authorization");
  const std::string_view prefix = "Bearer ";
  bool authorised = false;
  if (authorization.size() > prefix.size() && authorization.compare(0, prefix.size(), prefix) == 0) {
    const std::string token = authorization.substr(prefix.size());
    for (const auto& accepted : settings_.tokens) {
      // Constant-time comparison: response time must not leak how much of a token matched.
      authorised |= accepted.size() == token.size() && CRYPTO_memcmp(accepted.data(), token.data(), token.size()) == 0;
    }
  }
  return authorised;
}

void IngestServer::install_routes() {
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    response.set_content(R"({"status":"ok"})", "application/json");
  });
  // Ready when an accepted event can be stored: Kafka answers and both topics exist (a missing one
  // would fail every delivery after --delivery-timeout-ms).
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    std::string problem;
    try {
      if (const auto missing = producer::first_missing_topic(kafka_config_, publisher_->topics(), 2s)) {
        problem = "topic " + *missing + " does not exist";
      }
    } catch (const std::exception& error) {
      problem = std::string("Kafka unreachable: ") + error.what();
    }
    if (problem.empty()) {
      response.set_content(R"({"status":"ready"})", "application/json");
    } else {
      response.status = 503;
      response.set_content(error_json(problem), "application/json");
    }
  });
  // The handler runs once the headers are in and reads the body itself: a request without a valid
  // token, or of a type that cannot be events, is answered without reading its body, and the body is
  // bounded in size (chunked or not) and in the time it may take to arrive.
  server_->Post("/v1/events", [this](const httplib::Request& request, httplib::Response& response,
                                     const httplib::ContentReader& read_body) {
    const auto refuse = [&](int status, std::string_view reason) {
      response.status = status;
      // What is left of the body is never read: the connection cannot carry another request.
      response.set_header("Connection", "close");
      response.set_content(error_json(reason), "application/json");
    };
    if (!settings_.allow_unauthenticated && !authorised(request)) {
      response.set_header("WWW-Authenticate", "Bearer");
      refuse(401, "a valid bearer token is required");
      return;
    }
    const std::string type = media_type(request);
    if (!is_accepted_media_type(type)) {
      refuse(415, "Content-Type " + type + " is not events: send application/json, application/x-ndjson, "
                  "application/cloudevents+json or application/cloudevents-batch+json");
      return;
    }
    std::string body;
    bool too_large = false;
    bool too_slow = false;
    const auto deadline = std::chrono::steady_clock::now() + settings_.body_timeout;
    const bool complete = read_body([&](const char* data, std::size_t size) {
      too_large = body.size() + size > settings_.max_body_bytes;
      too_slow = std::chrono::steady_clock::now() > deadline;
      if (too_large || too_slow) return false;
      body.append(data, size);
      return true;
    });
    if (too_large || response.status == 413) {
      refuse(413, "the body is over " + std::to_string(settings_.max_body_bytes) + " bytes");
      return;
    }
    if (too_slow) {
      refuse(408, "the body took longer than " + std::to_string(settings_.body_timeout.count()) + " ms to arrive");
      return;
    }
    if (!complete) {
      refuse(400, "the body could not be read");
      return;
    }
    std::vector<std::string> records;
    if (const auto problem = split_records(type, body, records)) {
      response.status = 400;
      response.set_content(error_json(*problem), "application/json");
      return;
    }
    if (records.empty()) {
      response.status = 400;
      response.set_content(error_json("no event in the request body"), "application/json");
      return;
    }

    auto pending = std::make_shared<PendingRequest>();
    pending->results.resize(records.size());
    pending->outstanding = records.size();
    for (std::size_t i = 0; i < records.size(); ++i) {
      const auto on_delivered = [pending, i](std::error_code error) {
        std::lock_guard lock{pending->mutex};
        auto& result = pending->results[i];
        if (error && result.status != RecordResult::Status::rejected) {
          result.status = RecordResult::Status::failed;
          result.code = "not_stored";
          result.reason = "Kafka did not acknowledge the event: " + error.message();
        } else if (result.status == RecordResult::Status::pending) {
          result.status = RecordResult::Status::accepted;
        }
        if (--pending->outstanding == 0) pending->done.notify_all();
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
      } catch (const std::exception& error) {
        // Not even enqueued: no delivery report will come for it.
        std::lock_guard lock{pending->mutex};
        pending->results[i].status = RecordResult::Status::failed;
        pending->results[i].code = "not_stored";
        pending->results[i].reason = error.what();
        --pending->outstanding;
      }
    }

    std::unique_lock lock{pending->mutex};
    // Every message gets a report within message.timeout.ms; the margin covers the last poll.
    pending->done.wait_for(lock, settings_.delivery_timeout + 5s, [&] { return pending->outstanding == 0; });
    std::size_t accepted = 0;
    std::size_t rejected = 0;
    std::size_t failed = 0;
    for (const auto& result : pending->results) {
      accepted += result.status == RecordResult::Status::accepted ? 1 : 0;
      rejected += result.status == RecordResult::Status::rejected ? 1 : 0;
      failed += result.status == RecordResult::Status::failed || result.status == RecordResult::Status::pending ? 1 : 0;
    }
    response.status = failed > 0 ? 503 : rejected > 0 ? 400 : 200;
    if (failed > 0) response.set_header("Retry-After", "5");
    response.set_content(results_json(pending->results, accepted, rejected, failed), "application/json");
    log()->debug("{} record(s): {} accepted, {} rejected, {} failed", records.size(), accepted, rejected, failed);
  });
}

void IngestServer::start() {
  if (settings_.port == 0) {
    port_ = server_->bind_to_any_port(settings_.host.c_str());
  } else {
    port_ = server_->bind_to_port(settings_.host.c_str(), settings_.port) ? settings_.port : -1;
  }
  if (port_ <= 0) {
    throw std::runtime_error("cannot listen on " + settings_.host + ":" + std::to_string(settings_.port));
  }
  // Debian's cpp-httplib is built with a listen backlog of 5: more clients connecting at once than
  // that had their connections dropped, or waited a second for TCP to try again. Listening again on
  // the same socket only enlarges its queue (the kernel caps it at net.core.somaxconn).
  if (::listen(listening_socket_, SOMAXCONN) != 0) {
    throw std::system_error(errno, std::generic_category(), "enlarging the listen backlog");
  }
  running_ = true;
  delivery_server_ = std::thread([this] {
    while (running_) publisher_->serve_deliveries(100ms);
  });
  listener_ = std::thread([this] { server_->listen_after_bind(); });
  log()->info("listening on http://{}:{}", settings_.host, port_);
}

void IngestServer::stop() {
  if (server_) server_->stop();
  if (listener_.joinable()) listener_.join();
  // In-flight requests are done once the listener has returned; deliver what they left.
  if (publisher_) publisher_->flush(settings_.delivery_timeout);
  running_ = false;
  if (delivery_server_.joinable()) delivery_server_.join();
}

}  // namespace relmap::producer
