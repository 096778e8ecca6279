#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "captured_event.hpp"

namespace relmap::schemas::detail {

/// One object schema of the contract compiled into direct checks on a CapturedObject: RapidJSON's
/// validator interprets the schema for every value of every event, which costs more than parsing.
///
/// Compiled from the same JSON Schema files, so the files stay the one statement of the rules. Only
/// the keywords those files use are understood (type, required, properties, enum, minLength,
/// maxLength, format, $ref to a definition, additionalProperties on attrs); a schema using another
/// one is refused at start-up rather than half-checked.
///
/// accepts() is a fast test, never the explanation: it may refuse what the validator would accept
/// (a member given twice), and the decoder then asks the validator, which also says what is wrong.
class ObjectRules {
 public:
  explicit ObjectRules(const rapidjson::Value& schema);

  bool accepts(const CapturedObject& object) const;

 private:
  struct Rule {
    Field field = Field::event_id;
    bool required = false;
    std::optional<JsonKind> kind;
    std::optional<std::uint32_t> min_length;
    std::optional<std::uint32_t> max_length;
    std::vector<std::string> allowed_strings;
    std::vector<std::int64_t> allowed_integers;
    bool values_must_be_strings = false;
  };

  static bool accepts(const Rule& rule, const CapturedValue& value, const CapturedObject& object);
  Rule& rule_for(std::string_view name);
  void compile_property(Rule& rule, const rapidjson::Value& property, const rapidjson::Value& root);

  std::vector<Rule> rules_;
};

}  // namespace relmap::schemas::detail
