#include "captured_event.hpp"

#include <bit>
#include <cstring>
#include <new>
#include <vector>

#include <simdjson.h>

#include "relmap/schemas/decoder.hpp"

namespace relmap::schemas::detail {
namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "event_id", "type",     "v",           "occurred_at", "case_id", "source", "actor",
    "attrs",    "from",     "to",          "request_id",  "topic",   "due_at", "outcome",
    "redirect_to", "reason", "solved",     "about",       "severity", "specversion", "id",
    "time",     "subject",  "datacontenttype", "data"};

constexpr std::size_t kLongestName = 15;  // "datacontenttype"

/// A name of at most 16 bytes as two words, byte i at bits 8i (zero beyond its end): comparing a key
/// with a field's name is then two integer comparisons, where the memcmp calls cost a seventh of checking
/// a request (a request has 14 members, each looked up).
struct PackedName {
  std::uint64_t head = 0;  // bytes 0 to 7
  std::uint64_t tail = 0;  // bytes 8 to 15

  bool operator==(const PackedName&) const = default;
};

constexpr PackedName packed_constant(std::string_view name) {
  PackedName packed;
  for (std::size_t i = 0; i < name.size(); ++i) {
    auto& word = i < 8 ? packed.head : packed.tail;
    word |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * (i % 8));
  }
  return packed;
}

/// The first `size` (< 8) bytes at `bytes` as packed_constant() packs them, without reading past them:
/// two loads that overlap in the middle carry the same bytes there.
std::uint64_t packed_word(const char* bytes, std::size_t size) {
  if (size >= 4) {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    std::memcpy(&first, bytes, 4);
    std::memcpy(&last, bytes + size - 4, 4);
    return first | (std::uint64_t{last} << (8 * (size - 4)));
  }
  if (size == 0) return 0;
  const auto byte_at = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i); };
  return byte_at(0) | byte_at(size / 2) | byte_at(size - 1);
}

PackedName packed(std::string_view name) {
  static_assert(std::endian::native == std::endian::little, "packed_word() reads bytes as a little-endian word");
  if (name.size() < 8) return {packed_word(name.data(), name.size()), 0};
  std::uint64_t head = 0;
  std::memcpy(&head, name.data(), 8);
  return {head, packed_word(name.data() + 8, name.size() - 8)};
}

/// The fields by name length, so that a lookup compares a key with four names at most.
struct FieldsByLength {
  struct Candidate {
    PackedName name;
    Field field{};
  };
  static constexpr std::size_t kMostOfOneLength = 4;  // type, from, time, data
  std::array<std::array<Candidate, kMostOfOneLength>, kLongestName + 1> candidates{};
  std::array<std::uint8_t, kLongestName + 1> counts{};

  constexpr FieldsByLength() {
    for (std::size_t i = 0; i < kFieldCount; ++i) {
      const auto length = kFieldNames[i].size();
      if (counts[length] == kMostOfOneLength) throw "more names of one length than kMostOfOneLength";
      candidates[length][counts[length]++] = {packed_constant(kFieldNames[i]), static_cast<Field>(i)};
    }
  }
};
constexpr FieldsByLength kFieldsByLength;

}  // namespace

std::optional<Field> field_named(std::string_view name) {
  if (name.size() > kLongestName) return std::nullopt;
  const auto key = packed(name);
  const auto& same_length = kFieldsByLength.candidates[name.size()];
  for (std::size_t i = 0; i < kFieldsByLength.counts[name.size()]; ++i) {
    if (same_length[i].name == key) return same_length[i].field;
  }
  return std::nullopt;
}

std::string_view name_of(Field field) { return kFieldNames[static_cast<std::size_t>(field)]; }

MemberSink MemberSink::add(std::string_view key, const CapturedValue& value, CapturedEvent& event) const {
  if (object == nullptr) return {};
  if (is_attrs) {
    // A repeated attribute is left to the validator, which refuses it; many attributes too, whose
    // repetitions its hash set finds sooner than this scan would.
    constexpr std::size_t kAttrsComparedHere = 32;
    if (object->attrs.size() >= kAttrsComparedHere) {
      object->repeated_field = true;
    } else {
      for (const auto& attribute : object->attrs) object->repeated_field |= attribute.first == key;
    }
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
  // Deeper records are left to the validator, which says why they are refused.
  thread_local simdjson::dom::parser parser = [] {
    simdjson::dom::parser deep_enough;
    if (deep_enough.allocate(kMaxEventBytes, kMaxEventDepth) != simdjson::SUCCESS) throw std::bad_alloc();
    return deep_enough;
  }();
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
