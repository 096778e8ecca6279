#include "relmap/serve/access.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <boost/algorithm/string/classification.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace relmap::serve {
namespace {

std::array<unsigned char, 32> digest_of(std::string_view token) {
  std::array<unsigned char, 32> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
  return digest;
}

std::string_view trimmed(std::string_view text) {
  return boost::algorithm::trim_copy_if(text, boost::algorithm::is_any_of(" \t\r"));
}

}  // namespace

AccessList AccessList::parse(std::string_view text, std::string_view origin) {
  AccessList list;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const auto line = trimmed(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const auto where = std::string(origin) + ":" + std::to_string(line_number);
    const auto space = line.find_first_of(" \t");
    if (space == std::string_view::npos) throw std::invalid_argument(where + ": expected TOKEN ROLE, found one field");
    const auto token = line.substr(0, space);
    const auto role = trimmed(line.substr(space));
    if (role == "operations") {
      list.add(token, Principal{});
    } else if (role.rfind("department:", 0) == 0 && role.size() > 11) {
      list.add(token, Principal{std::string(role.substr(11))});
    } else {
      throw std::invalid_argument(where + ": the role must be operations or department:ID, not \"" + std::string(role) + "\"");
    }
  }
  return list;
}

AccessList AccessList::read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read token file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

void AccessList::add(std::string_view token, Principal principal) {
  entries_.push_back({digest_of(token), std::move(principal)});
}

std::optional<Principal> AccessList::authenticate(std::string_view authorization) const {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() || authorization.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  const auto digest = digest_of(trimmed(authorization.substr(kScheme.size())));
  const Entry* match = nullptr;
  for (const auto& entry : entries_) {
    const bool same = CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0;
    if (same && match == nullptr) match = &entry;
  }
  if (match == nullptr) return std::nullopt;
  return match->principal;
}

}  // namespace relmap::serve
