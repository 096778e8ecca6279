#include "relmap/schemas/event.hpp"

#include "relmap/common/json_writer.hpp"

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

/// Writes an event in its canonical form: fixed member order, absent optionals left out.
class CanonicalWriter {
 public:
  std::string write(const Event& event) {
    json_.start_object();
    json_.field("event_id", event.event_id);
    json_.field("type", to_string(event.type()));
    json_.field("v", 1);
    json_.field("occurred_at", format_rfc3339(event.occurred_at));
    json_.field_if_set("case_id", event.case_id);
    json_.field("source", event.source);
    json_.field_if_set("actor", event.actor);
    if (!event.attrs.empty()) {
      json_.key("attrs");
      json_.start_object();
      for (const auto& [key, value] : event.attrs) json_.field(key, value);
      json_.end_object();
    }
    std::visit([this](const auto& body) { write_body(body); }, event.body);
    json_.end_object();
    return json_.str();
  }

 private:
  void write_body(const Request& request) {
    json_.field("from", request.from);
    json_.field("to", request.to);
    json_.field("request_id", request.request_id);
    json_.field_if_set("topic", request.topic);
    json_.field("due_at", format_rfc3339(request.due_at));
  }
  void write_body(const Response& response) {
    json_.field("from", response.from);
    json_.field("to", response.to);
    json_.field("request_id", response.request_id);
    json_.field("outcome", to_string(response.outcome));
    json_.field_if_set("redirect_to", response.redirect_to);
    json_.field_if_set("reason", response.reason);
  }
  void write_body(const Handoff& handoff) {
    json_.field_if_set("from", handoff.from);
    json_.field("to", handoff.to);
    json_.field_if_set("reason", handoff.reason);
  }
  void write_body(const Feedback& feedback) {
    json_.field("solved", feedback.solved);
    json_.field_if_set("about", feedback.about);
    json_.field_if_set("from", feedback.from);
  }
  void write_body(const Andon& andon) {
    json_.field("from", andon.from);
    json_.field("about", andon.about);
    json_.field("severity", to_string(andon.severity));
    json_.field("reason", andon.reason);
  }

  JsonWriter json_;
};

}  // namespace

std::string to_json(const Event& event) { return CanonicalWriter{}.write(event); }

}  // namespace relmap::schemas
