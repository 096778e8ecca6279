#pragma once

#include <map>
#include <optional>
#include <string>

namespace relmap::graph {

/// What the organisation says about a department (the department directory).
struct DirectoryEntry {
  std::string id;
  std::string name;  ///< display name; the id where none is given
  std::string unit;  ///< formal unit in the org chart; empty where none is given
  std::optional<bool> customer_facing;
};

/// The optional department directory: a CSV file (`id,name,unit,customer_facing` with a header;
/// only `id` is required) or the compacted topic `relmap.departments` (key id, value JSON).
struct Directory {
  std::map<std::string, DirectoryEntry> entries;  ///< by id

  const DirectoryEntry* find(const std::string& id) const {
    const auto found = entries.find(id);
    return found == entries.end() ? nullptr : &found->second;
  }
  /// The display name of a department: its directory name, else its id.
  std::string name_of(const std::string& id) const {
    const auto* entry = find(id);
    return entry == nullptr ? id : entry->name;
  }
};

/// "Information Technology (IT)", or the id alone where the directory names it no differently.
inline std::string name_with_id(const std::string& id, const std::string& name) {
  return name == id ? id : name + " (" + id + ")";
}

/// Reads a directory CSV. Throws std::runtime_error naming the file and line for a bad row (no id,
/// an id that breaks the contract's department rules, a repeated id, customer_facing not true/false).
Directory read_directory_csv(const std::string& path);

/// The JSON value of a `relmap.departments` record: {"name", "unit", "customer_facing"}, all optional.
/// Returns nullopt for a value that is not such an object.
std::optional<DirectoryEntry> directory_entry_from_json(const std::string& id, const std::string& json);
std::string to_json(const DirectoryEntry& entry);

}  // namespace relmap::graph
