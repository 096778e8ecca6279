#include "captured_event.hpp"

#include <cstring>
#include <vector>

#include <simdjson.h>

namespace relmap::schemas::detail {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "type",     "v",           "occurred_at", "case_id", "source", "actor",
    "attrs",    "from",     "to",          "request_id",  "topic",   "due_at", "outcome",
    "redirect_to", "reason", "solved",     "about",       "severity", "specversion", "id",
    "time",     "subject",  "datacontenttype", "data"};

constexpr std::size_t kLongestName = 15;  // "datacontenttype"

/// The fields by name length, so that a lookup compares a key with two or three names at most.
struct FieldsByLength {
  std::array<std::array<std::optional<Field>, 5>, kLongestName + 1> fields{};

  constexpr FieldsByLength() {
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      auto& same_length = fields[kFieldNames[i].size()];
      std::size_t slot = 0;
      while (same_length[slot]) ++slot;
      same_length[slot] = static_cast<Field>(i);
    }
  }
};
constexpr FieldsByLength kFieldsByLength;

}  // namespace

std::optional<Field> field_named(std::string_view name) {
  if (name.size() > kLongestName) return std::nullopt;
  for (const auto& field : kFieldsByLength.fields[name.size()]) {
    if (!field) break;
    if (kFieldNames[static_cast<std::size_t>(*field)] == name) return field;
  }
  return std::nullopt;
}

std::string_view name_of(Field field) { return kFieldNames[static_cast<std::size_t>(field)]; }

MemberSink MemberSink::add(std::string_view key, const CapturedValue& value, CapturedEvent& event) const {
  if (object == nullptr) return {};
  if (is_attrs) {
    if (value.kind == JsonKind::string) {
      object->attrs.emplace_back(key, value.text);
    } else {
      object->attrs_all_strings = false;
    }
    return {};
  }
  const auto field = field_named(key);
  if (!field) return {};
  if (object->has(*field)) {
    object->repeated_field = true;
    return {};
  }
  object->set(*field, value);
  if (value.kind != JsonKind::object) return {};
  if (*field == Field::attrs) return {object, true};
  if (*field == Field::data && object == &event.top) return {&event.data, false};
  return {};
}

namespace {

CapturedValue captured(const simdjson::dom::element& element) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING: return CapturedValue::of_string(element.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: return CapturedValue::of_integer(element.get_int64().value_unsafe());
    case simdjson::dom::element_type::UINT64: return CapturedValue::of_unsigned(element.get_uint64().value_unsafe());
    case simdjson::dom::element_type::DOUBLE: return CapturedValue::of_kind(JsonKind::number);
    case simdjson::dom::element_type::BOOL: return CapturedValue::of_boolean(element.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE: return CapturedValue::of_kind(JsonKind::null);
    case simdjson::dom::element_type::OBJECT: return CapturedValue::of_kind(JsonKind::object);
    case simdjson::dom::element_type::ARRAY: return CapturedValue::of_kind(JsonKind::array);
  }
  return CapturedValue::of_kind(JsonKind::null);
}

void capture_members(simdjson::dom::object object, const MemberSink& sink, CapturedEvent& event) {
  for (const auto member : object) {
    const MemberSink inner = sink.add(member.key, captured(member.value), event);
    if (inner.object != nullptr) capture_members(member.value.get_object().value_unsafe(), inner, event);
  }
}

}  // namespace

bool capture_record(std::string_view bytes, CapturedEvent& event) {
  // A parser keeps its buffers between documents; one per thread because a Decoder is shared.
  thread_local simdjson::dom::parser parser;
  // simdjson reads up to SIMDJSON_PADDING bytes past the end: given a bare buffer, it allocates a
  // padded copy for every record. This thread's copy is reused instead.
  thread_local std::vector<char> padded;
  if (padded.size() < bytes.size() + simdjson::SIMDJSON_PADDING) padded.resize(bytes.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded.data(), bytes.data(), bytes.size());
  std::memset(padded.data() + bytes.size(), ' ', simdjson::SIMDJSON_PADDING);
  simdjson::dom::element root;
  if (parser.parse(padded.data(), bytes.size(), false).get(root) != simdjson::SUCCESS) return false;
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return false;
  capture_members(object, MemberSink{&event.top, false}, event);
  return true;
}

bool EventCapture::open(JsonKind kind) {
  MemberSink members;
  if (depth_ == 0) {
    if (kind == JsonKind::object) members.object = &event_.top;
  } else if (depth_ <= kTrackedDepth) {
    members = open_[depth_ - 1].add(key_, CapturedValue::of_kind(kind), event_);
  }
  if (depth_ < kTrackedDepth) open_[depth_] = members;
  ++depth_;
  return true;
}

}  // namespace relmap::schemas::detail
