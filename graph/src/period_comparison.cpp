#include "relmap/graph/period_comparison.hpp"

#include <map>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/common/json_writer.hpp"

namespace relmap::graph {
namespace {

using rapidjson::Document;
using rapidjson::Value;

/// The members that are statistics (numbers, or null where a rate is undefined); not the community,
/// whose ids are labels, nor the directory's fields.
bool is_statistic(std::string_view name, const Value& value) {
  if (name == "community" || name == "unit" || name == "customer_facing") return false;
  return value.IsNumber() || value.IsNull();
}

/// How objects of one array are matched between the periods.
std::string key_of(const Value& object, const char* first, const char* second) {
  std::string key = object[first].GetString();
  if (second != nullptr) key.append(1, '\0').append(object[second].GetString());
  return key;
}

/// Adds "previous" and "change" to each object of `array` in `now`, from the same array in `then`;
/// moves the objects only `then` has into `gone`.
void compare_array(Value& now, Value& then, const char* first, const char* second, Value& gone,
                   Document::AllocatorType& allocator) {
  std::map<std::string, Value*> earlier;
  for (auto& object : then.GetArray()) earlier[key_of(object, first, second)] = &object;
  for (auto& object : now.GetArray()) {
    const auto found = earlier.find(key_of(object, first, second));
    Value previous(rapidjson::kNullType);
    Value change(rapidjson::kNullType);
    if (found != earlier.end()) {
      previous.SetObject();
      change.SetObject();
      for (auto& member : object.GetObject()) {
        if (!is_statistic(member.name.GetString(), member.value)) continue;
        const auto old = found->second->FindMember(member.name);
        if (old == found->second->MemberEnd()) continue;
        Value name(member.name, allocator);
        previous.AddMember(Value(name, allocator), Value(old->value, allocator), allocator);
        Value difference(rapidjson::kNullType);
        if (member.value.IsInt64() && old->value.IsInt64()) {
          difference.SetInt64(member.value.GetInt64() - old->value.GetInt64());
        } else if (member.value.IsNumber() && old->value.IsNumber()) {
          difference.SetDouble(member.value.GetDouble() - old->value.GetDouble());
        }
        change.AddMember(name, difference, allocator);
      }
      earlier.erase(found);
    }
    object.AddMember("previous", previous, allocator);
    object.AddMember("change", change, allocator);
  }
  for (auto& [key, object] : earlier) gone.PushBack(Value(*object, allocator), allocator);
}

}  // namespace

std::string to_json_compared(const RelationshipMap& current, const RelationshipMap& previous) {
  Document now;
  now.Parse(to_json(current).c_str());
  Document then;
  then.Parse(to_json(previous).c_str());
  auto& allocator = now.GetAllocator();
  Value gone(rapidjson::kObjectType);
  for (const auto& [array, first, second] : {std::tuple{"departments", "id", static_cast<const char*>(nullptr)},
                                             std::tuple{"edges", "from", "to"}, std::tuple{"pairs", "a", "b"}}) {
    Value removed(rapidjson::kArrayType);
    compare_array(now[array], then[array], first, second, removed, allocator);
    gone.AddMember(rapidjson::StringRef(array), removed, allocator);
  }
  now.AddMember("previous_window", Value(then["window"], allocator), allocator);
  now.AddMember("previous_totals", Value(then["totals"], allocator), allocator);
  now.AddMember("previous_only", gone, allocator);
  rapidjson::StringBuffer buffer;
  relmap::JsonTextWriter writer(buffer);
  now.Accept(writer);
  return buffer.GetString();
}

}  // namespace relmap::graph
