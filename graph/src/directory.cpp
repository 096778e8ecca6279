#include "relmap/graph/directory.hpp"

#include <stdexcept>
#include <vector>

#include <rapidjson/document.h>

#include "relmap/common/csv.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/utf8.hpp"

namespace relmap::graph {
namespace {

/// Why `id` is not a department id of the contract (1-128 characters of UTF-8, no control
/// character), or nothing.
std::optional<std::string> department_id_problem(const std::string& id) {
  const auto length = utf8_code_points(id);
  if (!length) return "not valid UTF-8";
  if (*length < 1 || *length > 128) return "must be 1 to 128 characters";
  if (has_control_character(id)) return "contains a control character";
  return std::nullopt;
}

/// Why a name or unit cannot be shown on a map, in a report or an export (a line break would split
/// a label, and XML cannot carry most control characters at all), or nothing.
std::optional<std::string> label_problem(const std::string& text) {
  if (first_invalid_utf8(text)) return "not valid UTF-8";
  if (has_control_character(text)) return "contains a control character (a line break, a tab, ...)";
  return std::nullopt;
}

}  // namespace

Directory read_directory_csv(const std::string& path) {
  Directory directory;
  std::vector<std::string> header;
  std::map<std::string, std::size_t> columns;
  std::size_t line = 0;
  for_each_csv_row(path, ',', [&](const std::vector<std::string>& row) {
    ++line;
    const auto fail = [&](const std::string& why) { throw std::runtime_error(path + ":" + std::to_string(line) + ": " + why); };
    if (line == 1) {
      for (std::size_t i = 0; i < row.size(); ++i) columns[row[i]] = i;
      if (!columns.count("id")) fail("the header has no 'id' column (id,name,unit,customer_facing)");
      return;
    }
    if (row.size() == 1 && row.front().empty()) return;  // a blank line
    const auto value = [&](const char* column) -> std::string {
      const auto found = columns.find(column);
      return found != columns.end() && found->second < row.size() ? row[found->second] : std::string{};
    };
    DirectoryEntry entry{value("id"), value("name"), value("unit"), std::nullopt};
    if (const auto problem = department_id_problem(entry.id)) fail("id '" + entry.id + "': " + *problem);
    for (const auto& [column, text] : {std::pair{"name", &entry.name}, std::pair{"unit", &entry.unit}}) {
      if (const auto problem = label_problem(*text)) fail(std::string(column) + " of '" + entry.id + "': " + *problem);
    }
    if (entry.name.empty()) entry.name = entry.id;
    const std::string customer_facing = value("customer_facing");
    if (customer_facing == "true" || customer_facing == "yes") {
      entry.customer_facing = true;
    } else if (customer_facing == "false" || customer_facing == "no") {
      entry.customer_facing = false;
    } else if (!customer_facing.empty()) {
      fail("customer_facing must be true or false, not '" + customer_facing + "'");
    }
    if (!directory.entries.emplace(entry.id, entry).second) fail("id '" + entry.id + "' is listed twice");
  });
  return directory;
}

std::optional<DirectoryEntry> directory_entry_from_json(const std::string& id, const std::string& json) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag>(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject() || department_id_problem(id)) return std::nullopt;
  DirectoryEntry entry{id, id, {}, std::nullopt};
  for (const auto& [key, field] : {std::pair{"name", &entry.name}, std::pair{"unit", &entry.unit}}) {
    if (const auto found = document.FindMember(key); found != document.MemberEnd()) {
      if (!found->value.IsString()) return std::nullopt;
      field->assign(found->value.GetString(), found->value.GetStringLength());
      if (label_problem(*field)) return std::nullopt;
    }
  }
  if (entry.name.empty()) entry.name = id;
  if (const auto found = document.FindMember("customer_facing"); found != document.MemberEnd()) {
    if (!found->value.IsBool()) return std::nullopt;
    entry.customer_facing = found->value.GetBool();
  }
  return entry;
}

std::string to_json(const DirectoryEntry& entry) {
  JsonWriter json;
  json.start_object();
  json.field("name", entry.name);
  if (!entry.unit.empty()) json.field("unit", entry.unit);
  json.field_if_set("customer_facing", entry.customer_facing);
  json.end_object();
  return json.str();
}

}  // namespace relmap::graph
