#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "relmap/common/time.hpp"

namespace relmap::schemas {

/// The contract's default deadline for a request without due_at.
inline constexpr std::chrono::hours kDefaultSla{72};

enum class EventType { request, response, handoff, feedback, andon };
enum class Outcome { resolved, declined, redirected };
enum class Severity { low, high, stop };

std::string_view to_string(EventType type);
std::string_view to_string(Outcome outcome);
std::string_view to_string(Severity severity);

struct Request {
  std::string from;
  std::string to;
  std::string request_id;  ///< event_id when the event named none
  std::optional<std::string> topic;
  Timestamp due_at;  ///< the given due_at, else occurred_at + kDefaultSla
  bool due_at_given = false;
};

struct Response {
  std::string from;  ///< the answering department
  std::string to;    ///< the asking department
  std::string request_id;
  Outcome outcome = Outcome::resolved;
  std::optional<std::string> redirect_to;  ///< set exactly when outcome is redirected
  std::optional<std::string> reason;
};

struct Handoff {
  /// None: the case opens at `to`, its first owner (an imported trace starts so); no relationship.
  std::optional<std::string> from;
  std::string to;
  std::optional<std::string> reason;
};

struct Feedback {
  bool solved = false;
  std::optional<std::string> about;  ///< when absent: the case's current owner
  std::optional<std::string> from;
};

struct Andon {
  std::string from;
  std::string about;
  Severity severity = Severity::low;
  std::string reason;
};

/// One valid event of contract v1, normalised: times in UTC, defaults applied, CloudEvents mapped.
struct Event {
  std::string event_id;
  Timestamp occurred_at;
  std::optional<std::string> case_id;  ///< always set except, possibly, for andon
  std::string source;
  std::optional<std::string> actor;
  std::vector<std::pair<std::string, std::string>> attrs;  ///< in the order given
  std::variant<Request, Response, Handoff, Feedback, Andon> body;
  bool from_cloud_event = false;  ///< the record was a CloudEvents envelope, mapped onto the fields above

  EventType type() const { return static_cast<EventType>(body.index()); }
};

/// The event in relmap's canonical native JSON form: contract field names, the fields in a fixed
/// order, times in UTC ("Z"), defaults made explicit (request_id, due_at). Decoding it gives the
/// same Event back.
std::string to_json(const Event& event);

}  // namespace relmap::schemas
