#include "object_rules.hpp"

#include <algorithm>
#include <stdexcept>

namespace relmap::schemas::detail {
namespace {

std::string_view text_of(const rapidjson::Value& value) { return {value.GetString(), value.GetStringLength()}; }

/// Keywords that describe and constrain nothing the decoder checks.
bool is_annotation(std::string_view keyword) {
  return keyword == "description" || keyword == "title" || keyword == "$schema" || keyword == "id";
}

[[noreturn]] void refuse(const std::string& what) {
  throw std::logic_error("schema not understood by the compiled checks: " + what);
}

JsonKind kind_named(std::string_view type) {
  if (type == "string") return JsonKind::string;
  if (type == "integer") return JsonKind::integer;
  if (type == "boolean") return JsonKind::boolean;
  if (type == "object") return JsonKind::object;
  refuse("type \"" + std::string(type) + "\"");
}

/// Code points of well-formed UTF-8 (continuation bytes are not counted). On other bytes RapidJSON
/// skips its length checks, so a count that errs there only sends the record to the validator.
std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char byte) { return (static_cast<unsigned char>(byte) & 0xC0) != 0x80; }));
}

}  // namespace

ObjectRules::ObjectRules(const rapidjson::Value& schema) {
  for (const auto& keyword : schema.GetObject()) {
    const auto name = text_of(keyword.name);
    if (is_annotation(name) || name == "definitions") continue;
    if (name == "type") {
      if (!keyword.value.IsString() || text_of(keyword.value) != "object") refuse("an event schema that is not an object");
    } else if (name == "properties") {
      for (const auto& property : keyword.value.GetObject()) {
        compile_property(rule_for(text_of(property.name)), property.value, schema);
      }
    } else if (name == "required") {
      for (const auto& required : keyword.value.GetArray()) rule_for(text_of(required)).required = true;
    } else {
      refuse("keyword \"" + std::string(name) + "\" on an event");
    }
  }
}

ObjectRules::Rule& ObjectRules::rule_for(std::string_view name) {
  const auto field = field_named(name);
  if (!field) refuse("member \"" + std::string(name) + "\", which the decoder does not read");
  const auto existing = std::find_if(rules_.begin(), rules_.end(), [&](const Rule& rule) { return rule.field == *field; });
  if (existing != rules_.end()) return *existing;
  Rule& rule = rules_.emplace_back();
  rule.field = *field;
  return rule;
}

void ObjectRules::compile_property(Rule& rule, const rapidjson::Value& property, const rapidjson::Value& root) {
  if (const auto ref = property.FindMember("$ref"); ref != property.MemberEnd()) {
    // Draft 4: the members beside $ref are ignored, so only annotations may stand there.
    for (const auto& keyword : property.GetObject()) {
      if (text_of(keyword.name) != "$ref" && !is_annotation(text_of(keyword.name))) {
        refuse("keyword \"" + std::string(text_of(keyword.name)) + "\" beside $ref");
      }
    }
    const auto target = text_of(ref->value);
    constexpr std::string_view kPrefix = "#/definitions/";
    if (target.substr(0, kPrefix.size()) != kPrefix) refuse("$ref " + std::string(target));
    const std::string definition{target.substr(kPrefix.size())};
    const auto definitions = root.FindMember("definitions");
    if (definitions == root.MemberEnd() || !definitions->value.HasMember(definition.c_str())) {
      refuse("$ref to a missing definition " + std::string(target));
    }
    compile_property(rule, definitions->value[definition.c_str()], root);
    return;
  }
  for (const auto& keyword : property.GetObject()) {
    const auto name = text_of(keyword.name);
    const auto& value = keyword.value;
    if (is_annotation(name) || name == "format") {
      continue;  // RapidJSON does not check formats either; the decoder parses the date-times itself
    } else if (name == "type") {
      if (!value.IsString()) refuse("a list of types");
      rule.kind = kind_named(text_of(value));
    } else if (name == "minLength") {
      rule.min_length = value.GetUint();
    } else if (name == "maxLength") {
      rule.max_length = value.GetUint();
    } else if (name == "enum") {
      for (const auto& allowed : value.GetArray()) {
        if (allowed.IsString()) {
          rule.allowed_strings.emplace_back(text_of(allowed));
        } else if (allowed.IsInt64()) {
          rule.allowed_integers.push_back(allowed.GetInt64());
        } else {
          refuse("an enum member that is neither a string nor an integer");
        }
      }
      if (!rule.allowed_strings.empty() && !rule.allowed_integers.empty()) refuse("an enum of strings and integers");
    } else if (name == "additionalProperties") {
      const auto type = value.IsObject() ? value.FindMember("type") : value.MemberEnd();
      if (rule.field != Field::attrs || value.MemberCount() != 1 || type == value.MemberEnd() || !type->value.IsString() ||
          text_of(type->value) != "string") {
        refuse("additionalProperties other than attrs' strings");
      }
      rule.values_must_be_strings = true;
    } else {
      refuse("keyword \"" + std::string(name) + "\" on member " + std::string(name_of(rule.field)));
    }
  }
}

bool ObjectRules::accepts(const CapturedObject& object) const {
  if (object.repeated_field) return false;
  return std::all_of(rules_.begin(), rules_.end(),
                     [&](const Rule& rule) { return accepts(rule, object[rule.field], object); });
}

bool ObjectRules::accepts(const Rule& rule, const CapturedValue& value, const CapturedObject& object) {
  if (!value.present()) return !rule.required;
  if (rule.kind && value.kind != *rule.kind) return false;
  if ((rule.min_length || rule.max_length) && value.kind == JsonKind::string) {
    // A string has at most as many code points as bytes and at least one if it has a byte: most
    // strings are settled without counting.
    const std::size_t bytes = value.text.size();
    const bool settled = (!rule.max_length || bytes <= *rule.max_length) &&
                         (!rule.min_length || *rule.min_length == 0 || (*rule.min_length == 1 && bytes >= 1));
    if (!settled) {
      const auto length = code_points(value.text);
      if (rule.min_length && length < *rule.min_length) return false;
      if (rule.max_length && length > *rule.max_length) return false;
    }
  }
  if (!rule.allowed_strings.empty()) {
    if (value.kind != JsonKind::string) return false;
    if (std::find(rule.allowed_strings.begin(), rule.allowed_strings.end(), value.text) == rule.allowed_strings.end()) {
      return false;
    }
  }
  if (!rule.allowed_integers.empty()) {
    if (value.kind != JsonKind::integer) return false;
    if (std::find(rule.allowed_integers.begin(), rule.allowed_integers.end(), value.integer) ==
        rule.allowed_integers.end()) {
      return false;
    }
  }
  if (rule.values_must_be_strings && value.kind == JsonKind::object && !object.attrs_all_strings) return false;
  return true;
}

}  // namespace relmap::schemas::detail
