#include "relmap/producer/process_log.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>

#include <openssl/evp.h>

namespace relmap::producer {
namespace {

/// A stable id from its parts: the first 128 bits of SHA-256, in hex.
std::string stable_id(std::string_view prefix, std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  for (const auto part : parts) {
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    const std::uint64_t length = part.size();
    EVP_DigestUpdate(context.get(), &length, sizeof length);
    EVP_DigestUpdate(context.get(), part.data(), part.size());
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_length = 0;
  EVP_DigestFinal_ex(context.get(), digest.data(), &digest_length);
  std::string id{prefix};
  char hex[3];
  for (unsigned int i = 0; i < 16; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    id += hex;
  }
  return id;
}

}  // namespace

std::vector<schemas::Event> handoffs_of_case(const std::string& source, const std::string& case_id,
                                             std::vector<LoggedActivity> activities) {
  std::erase_if(activities, [](const LoggedActivity& activity) { return !activity.at; });
  std::stable_sort(activities.begin(), activities.end(),
                   [](const LoggedActivity& a, const LoggedActivity& b) { return *a.at < *b.at; });
  std::vector<schemas::Event> handoffs;
  const std::string* owner = nullptr;
  for (const auto& activity : activities) {
    if (!activity.department) continue;
    if (owner != nullptr && *owner != *activity.department) {
      schemas::Event handoff;
      handoff.event_id = stable_id("xes-", {source, case_id, std::to_string(handoffs.size())});
      handoff.occurred_at = *activity.at;
      handoff.case_id = case_id;
      handoff.source = source;
      handoff.body = schemas::Handoff{*owner, *activity.department, std::nullopt};
      handoffs.push_back(std::move(handoff));
    }
    owner = &*activity.department;
  }
  return handoffs;
}

}  // namespace relmap::producer
