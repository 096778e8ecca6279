#include "relmap/schemas/event.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace relmap::schemas {

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::request: return "request";
    case EventType::response: return "response";
    case EventType::handoff: return "handoff";
    case EventType::feedback: return "feedback";
    case EventType::andon: return "andon";
  }
  return "unknown";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::resolved: return "resolved";
    case Outcome::declined: return "declined";
    case Outcome::redirected: return "redirected";
  }
  return "unknown";
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::low: return "low";
    case Severity::high: return "high";
    case Severity::stop: return "stop";
  }
  return "unknown";
}

namespace {

class CanonicalWriter {
 public:
  void field(const char* name, std::string_view value) {
    writer_.Key(name);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  void field(const char* name, const std::string& value) { field(name, std::string_view{value}); }
  void field(const char* name, const std::optional<std::string>& value) {
    if (value) field(name, std::string_view{*value});
  }
  void field(const char* name, Timestamp value) { field(name, std::string_view{format_rfc3339(value)}); }
  void field(const char* name, bool value) {
    writer_.Key(name);
    writer_.Bool(value);
  }

  std::string write(const Event& event) {
    writer_.StartObject();
    field("event_id", event.event_id);
    field("type", to_string(event.type()));
    writer_.Key("v");
    writer_.Int(1);
    field("occurred_at", event.occurred_at);
    field("case_id", event.case_id);
    field("source", event.source);
    field("actor", event.actor);
    if (!event.attrs.empty()) {
      writer_.Key("attrs");
      writer_.StartObject();
      for (const auto& [key, value] : event.attrs) field(key.c_str(), value);
      writer_.EndObject();
    }
    std::visit([this](const auto& body) { write_body(body); }, event.body);
    writer_.EndObject();
    return {buffer_.GetString(), buffer_.GetSize()};
  }

 private:
  void write_body(const Request& request) {
    field("from", request.from);
    field("to", request.to);
    field("request_id", request.request_id);
    field("topic", request.topic);
    field("due_at", request.due_at);
  }
  void write_body(const Response& response) {
    field("from", response.from);
    field("to", response.to);
    field("request_id", response.request_id);
    field("outcome", to_string(response.outcome));
    field("redirect_to", response.redirect_to);
    field("reason", response.reason);
  }
  void write_body(const Handoff& handoff) {
    field("from", handoff.from);
    field("to", handoff.to);
    field("reason", handoff.reason);
  }
  void write_body(const Feedback& feedback) {
    field("solved", feedback.solved);
    field("about", feedback.about);
    field("from", feedback.from);
  }
  void write_body(const Andon& andon) {
    field("from", andon.from);
    field("about", andon.about);
    field("severity", to_string(andon.severity));
    field("reason", andon.reason);
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_{buffer_};
};

}  // namespace

std::string to_json(const Event& event) { return CanonicalWriter{}.write(event); }

}  // namespace relmap::schemas
