#pragma once
// Who may read what: bearer tokens with roles, from a token file.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relmap::serve {

/// `operations` sees everything; a department role sees its own department in detail.
struct Principal {
  std::optional<std::string> department;  ///< empty: operations
  bool sees_everything() const { return !department.has_value(); }
  bool sees(std::string_view id) const { return !department || *department == id; }
};

/// The tokens and their roles. A token file has one `TOKEN ROLE` per line, ROLE being `operations`
/// or `department:ID`; blank lines and lines starting with # are skipped.
class AccessList {
 public:
  /// Throws std::invalid_argument naming the line of a malformed entry (never its token).
  static AccessList parse(std::string_view text, std::string_view origin);
  static AccessList read_file(const std::string& path);

  void add(std::string_view token, Principal principal);
  std::size_t size() const { return entries_.size(); }

  /// The principal of an `Authorization: Bearer TOKEN` header value; nullopt for none or an unknown
  /// token. Compares digests of every entry, in constant time, whatever matches.
  std::optional<Principal> authenticate(std::string_view authorization) const;

 private:
  struct Entry {
    std::array<unsigned char, 32> digest;  ///< SHA-256 of the token
    Principal principal;
  };
  std::vector<Entry> entries_;
};

}  // namespace relmap::serve
