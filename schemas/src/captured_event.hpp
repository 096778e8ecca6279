#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/container/small_vector.hpp>
#include <rapidjson/reader.h>

namespace relmap::schemas::detail {

/// Every member name the contract gives a meaning (native and CloudEvents); any other member of an
/// event is ignored, as the contract says.
enum class Field : std::uint8_t {
  event_id, type, v, occurred_at, case_id, source, actor, attrs,
  from, to, request_id, topic, due_at, outcome, redirect_to, reason, solved, about, severity,
  specversion, id, time, subject, datacontenttype, data,
};
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::data) + 1;

std::optional<Field> field_named(std::string_view name);
std::string_view name_of(Field field);

enum class JsonKind : std::uint8_t { absent, null, boolean, integer, number, string, object, array };

/// A member's value as far as the schemas look at it. Strings point into the parsed text.
/// No member initialisers: a CapturedObject holds 25 of these, and only the given ones are written.
struct CapturedValue {
  JsonKind kind;
  bool boolean;
  std::int64_t integer;
  std::string_view text;

  bool present() const { return kind != JsonKind::absent; }

  static CapturedValue of_kind(JsonKind kind) {
    CapturedValue value{};
    value.kind = kind;
    return value;
  }
  static CapturedValue of_integer(std::int64_t number) {
    CapturedValue value = of_kind(JsonKind::integer);
    value.integer = number;
    return value;
  }
  /// Beyond int64 no contract rule can accept it: seen as a number, which fails any integer rule.
  static CapturedValue of_unsigned(std::uint64_t number) {
    return number <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? of_integer(static_cast<std::int64_t>(number))
               : of_kind(JsonKind::number);
  }
  static CapturedValue of_boolean(bool flag) {
    CapturedValue value = of_kind(JsonKind::boolean);
    value.boolean = flag;
    return value;
  }
  static CapturedValue of_string(std::string_view text) {
    CapturedValue value = of_kind(JsonKind::string);
    value.text = text;
    return value;
  }
};

/// The contract's members of one JSON object (the first of each, as a DOM lookup would find) and
/// the members of its `attrs` object.
class CapturedObject {
 public:
  /// The member's value; of kind `absent` when the object has no such member.
  const CapturedValue& operator[](Field field) const {
    static const CapturedValue absent = CapturedValue::of_kind(JsonKind::absent);
    return (given_ & bit(field)) != 0 ? values_.at[index(field)] : absent;
  }
  bool has(Field field) const { return (given_ & bit(field)) != 0; }
  /// Sets a member (an absent value removes it).
  void set(Field field, const CapturedValue& value) {
    if (!value.present()) {
      given_ &= ~bit(field);
      return;
    }
    values_.at[index(field)] = value;
    given_ |= bit(field);
  }

  boost::container::small_vector<std::pair<std::string_view, std::string_view>, 4> attrs;
  bool attrs_all_strings = true;
  bool repeated_field = false;  ///< a contract member given twice: left to the schema validator

 private:
  static std::size_t index(Field field) { return static_cast<std::size_t>(field); }
  static std::uint32_t bit(Field field) { return std::uint32_t{1} << index(field); }
  static_assert(kFieldCount <= 32);

  /// Only those in given_ hold a value. In a union, so that a new object leaves them unwritten: as
  /// an array, each string_view was set to empty first, 3% of checking a request.
  union Values {
    Values() {}  // NOLINT(modernize-use-equals-default): `= default` is deleted (CapturedValue's is not trivial)
    CapturedValue at[kFieldCount];
  };
  static_assert(std::is_trivially_copyable_v<CapturedValue>, "set() starts a value's life by assigning it");

  std::uint32_t given_ = 0;
  Values values_;
};

/// A record's top-level object and, for a CloudEvent, its `data` object.
struct CapturedEvent {
  CapturedObject top;
  CapturedObject data;
};

/// Where the members of an object being read go: nowhere (skipped), the object's fields, or its attrs.
struct MemberSink {
  CapturedObject* object = nullptr;
  bool is_attrs = false;

  /// Records one member; returns where that member's own members go if it is an object (only an
  /// event's attrs and a CloudEvent's data are read).
  MemberSink add(std::string_view key, const CapturedValue& value, CapturedEvent& event) const;
};

/// Parses a record with simdjson (which checks the whole of it: JSON grammar and UTF-8) and captures
/// it. False when it is not JSON or not an object. The strings point into this thread's parser: they
/// last until the thread's next call.
bool capture_record(std::string_view bytes, CapturedEvent& event);

/// A RapidJSON SAX handler that captures a RapidJSON DOM in one walk (its Accept()), as
/// capture_record() captures text. Nested values other than `data` and `attrs` are skipped.
class EventCapture : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, EventCapture> {
 public:
  explicit EventCapture(CapturedEvent& event) : event_(event) {}

  bool Null() { return scalar(CapturedValue::of_kind(JsonKind::null)); }
  bool Bool(bool flag) { return scalar(CapturedValue::of_boolean(flag)); }
  bool Int(int value) { return scalar(CapturedValue::of_integer(value)); }
  bool Uint(unsigned value) { return scalar(CapturedValue::of_integer(value)); }
  bool Int64(std::int64_t value) { return scalar(CapturedValue::of_integer(value)); }
  bool Uint64(std::uint64_t value) { return scalar(CapturedValue::of_unsigned(value)); }
  bool Double(double) { return scalar(CapturedValue::of_kind(JsonKind::number)); }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    return scalar(CapturedValue::of_string({text, length}));
  }
  bool Key(const char* text, rapidjson::SizeType length, bool) {
    key_ = {text, length};
    return true;
  }
  bool StartObject() { return open(JsonKind::object); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(JsonKind::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  static constexpr int kTrackedDepth = 3;  // the event, its data, their attrs

  bool scalar(const CapturedValue& value) {
    if (depth_ >= 1 && depth_ <= kTrackedDepth) open_[depth_ - 1].add(key_, value, event_);
    return true;
  }
  bool open(JsonKind kind);
  bool close() {
    --depth_;
    return true;
  }

  CapturedEvent& event_;
  std::array<MemberSink, kTrackedDepth> open_{};
  int depth_ = 0;
  std::string_view key_;
};

}  // namespace relmap::schemas::detail
