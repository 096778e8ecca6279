#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "relmap/common/result.hpp"
#include "relmap/common/time.hpp"
#include "relmap/schemas/event.hpp"

namespace relmap::schemas {

namespace detail {
struct CapturedEvent;
class CapturedObject;
class PlausibleTimes;
}  // namespace detail

/// The largest event the contract accepts, in bytes.
inline constexpr std::size_t kMaxEventBytes = 64 * 1024;
/// The deepest nesting of arrays and objects an event may have. The contract's own members go three
/// levels deep (a CloudEvent's data and its attrs); members it does not name may use the rest.
inline constexpr std::size_t kMaxEventDepth = 16;

/// When an event may have happened: one dated 9999 would move the watermark past every open
/// request's deadline (every request a dead end), and offsets can carry a time outside the years
/// 0000 to 9999 that no report can print. An event outside is invalid (implausible_time).
struct TimeBounds {
  /// The earliest time an event may carry.
  Timestamp earliest = std::chrono::sys_days{std::chrono::year{1970} / 1 / 1};
  /// How far past the time it is processed an event may be (clocks drift; time zones get lost).
  std::chrono::seconds latest_ahead = std::chrono::hours{24};
  /// The processing time: the clock, or a fixed time for tests.
  std::function<Timestamp()> now = [] { return std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now()); };

  /// No bounds: for events relmap accepted before (its own changelog), which must read back as they were.
  static TimeBounds none();
};

/// Why a record is not a valid event. The codes are stable: they name the dead-letter reason.
enum class DecodeErrc {
  too_large,           ///< over kMaxEventBytes
  invalid_utf8,        ///< bytes that are not UTF-8
  invalid_json,        ///< not parseable JSON
  not_an_object,       ///< JSON, but not an object
  schema_violation,    ///< a field missing, of the wrong type, out of range
  unknown_type,        ///< `type` is not one of the five
  unsupported_version, ///< `v` is not 1
  invalid_time,        ///< a date-time that is not RFC 3339 with an offset
  invalid_department,  ///< a department id with a control character
  same_department,     ///< from == to
  invalid_cloudevent,  ///< a CloudEvents envelope that does not map onto a relmap event
  implausible_time,    ///< occurred_at outside the TimeBounds
};

std::string_view to_string(DecodeErrc code);

struct DecodeError {
  DecodeErrc code;
  std::string path;     ///< JSON pointer of the offending value ("" for the whole record)
  std::string message;  ///< what is wrong there

  /// "/occurred_at: not an RFC 3339 date-time"; just the message when there is no path.
  std::string to_string() const;
};

/// What publishing a valid record needs to know of it, without building its Event. The views point
/// into memory of the calling thread: they last until that thread's next decode() or check().
struct CheckedEvent {
  EventType type;
  std::string_view event_id;
  std::optional<std::string_view> case_id;
  bool names_actor = false;
  bool from_cloud_event = false;
};

/// Turns the raw bytes of one record into a valid Event or a precise DecodeError.
///
/// Accepts native contract v1 objects and CloudEvents 1.0 structured-mode envelopes (recognised by
/// `specversion`). Validation is the JSON Schemas in schemas/json plus what they cannot express:
/// RFC 3339 times, department ids, from != to, redirect_to when redirected, UTF-8, the size limit.
///
/// Each record is checked by rules compiled from the schema files into direct tests (one SAX pass,
/// no DOM); a record they do not accept goes to RapidJSON's schema validator, which says what is
/// wrong. Both paths give the same answer for every record (tests compare them).
///
/// Thread-safety: the compiled schemas are immutable and shared; one Decoder may be used from
/// several threads at once.
class Decoder {
 public:
  enum class SchemaCheck {
    compiled,        ///< the compiled rules, the validator only to explain a rejection
    validator_only,  ///< RapidJSON's validator for every record: the reference the fast path is tested against
  };

  explicit Decoder(SchemaCheck check = SchemaCheck::compiled, TimeBounds bounds = {});
  explicit Decoder(TimeBounds bounds) : Decoder(SchemaCheck::compiled, std::move(bounds)) {}
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  Result<Event, DecodeError> decode(std::string_view bytes) const;
  /// The same verdict as decode(), the event written into `event` (every member; left unspecified
  /// when the record is invalid), reusing the memory its strings already hold: for a caller that
  /// decodes many records one after the other (relmap aggregate's apply threads, map --events).
  std::optional<DecodeError> decode_into(std::string_view bytes, Event& event) const;
  /// The same verdict as decode() (the same error for an invalid record), for a caller that needs
  /// only the facts in CheckedEvent: cheaper, because no Event is built for a valid record.
  Result<CheckedEvent, DecodeError> check(std::string_view bytes) const;

 private:
  /// A record the compiled rules accept: the object to build the event from, inside `captured`.
  struct Accepted {
    const detail::CapturedObject* object;
    EventType type;
    bool is_cloud_event;
  };
  /// nullopt when the compiled rules do not accept the record (the validator decides then).
  std::optional<Accepted> accept_compiled(std::string_view bytes, detail::CapturedEvent& captured) const;
  Result<Event, DecodeError> decode_with_validator(std::string_view bytes) const;

  struct Schemas;
  std::unique_ptr<const Schemas> schemas_;
  SchemaCheck check_;
  std::unique_ptr<const detail::PlausibleTimes> times_;
};

/// The JSON Schema files compiled into the program, by file name ("request.schema.json").
std::string_view schema_text(std::string_view file_name);

}  // namespace relmap::schemas
