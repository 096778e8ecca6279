#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace relmap {

/// RapidJSON's writer as relmap uses it, whatever it writes. Not `rapidjson::Writer<StringBuffer>`:
/// RapidJSON 1.1.0's SSE2 code for that one type copies the bytes 0x1A to 0x1F out of strings of 16
/// bytes or more unescaped (it takes "at most 0x19" for "below 0x20"), which is not JSON. Validating
/// the encoding is another type, which that code does not touch, and it refuses text that is not UTF-8.
using JsonTextWriter = rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                         rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

/// Compact JSON output with typed members: the one way relmap writes its JSON documents.
/// `field` writes an empty optional as null; `field_if_set` leaves it out.
class JsonWriter {
 public:
  void start_object() { writer_.StartObject(); }
  void end_object() { writer_.EndObject(); }
  void start_array() { writer_.StartArray(); }
  void end_array() { writer_.EndArray(); }
  void key(std::string_view name) {
    if (!writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()))) {
      throw std::invalid_argument("a JSON member name is not valid UTF-8");
    }
  }

  /// Throws std::invalid_argument for text that is not UTF-8: what relmap writes is valid JSON or nothing.
  void value(std::string_view text) {
    if (!writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()))) {
      throw std::invalid_argument("text to be written as JSON is not valid UTF-8");
    }
  }
  void value(const char* text) { value(std::string_view{text}); }  // not bool
  void value(const std::string& text) { value(std::string_view{text}); }
  void value(bool flag) { writer_.Bool(flag); }
  void value(int number) { writer_.Int(number); }
  void value(std::int64_t number) { writer_.Int64(number); }
  void value(std::uint64_t number) { writer_.Uint64(number); }
  void value(double number) { writer_.Double(number); }
  void null() { writer_.Null(); }
  template <typename T>
  void value(const std::optional<T>& maybe) {
    if (maybe) {
      value(*maybe);
    } else {
      null();
    }
  }

  template <typename T>
  void field(std::string_view name, const T& member) {
    key(name);
    value(member);
  }
  template <typename T>
  void field_if_set(std::string_view name, const std::optional<T>& member) {
    if (member) field(name, *member);
  }
  /// An array of plain values (any range of what `value` writes).
  template <typename Range>
  void values(std::string_view name, const Range& items) {
    key(name);
    start_array();
    for (const auto& item : items) value(item);
    end_array();
  }
  /// An array of objects, one per item; `write_members(item)` writes the item's members.
  template <typename Range, typename WriteMembers>
  void objects(std::string_view name, const Range& items, const WriteMembers& write_members) {
    key(name);
    start_array();
    for (const auto& item : items) {
      start_object();
      write_members(item);
      end_object();
    }
    end_array();
  }

  std::string str() const { return {buffer_.GetString(), buffer_.GetSize()}; }

 private:
  rapidjson::StringBuffer buffer_;
  JsonTextWriter writer_{buffer_};
};

}  // namespace relmap
