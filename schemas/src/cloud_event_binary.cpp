#include "relmap/schemas/cloud_event_binary.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <rapidjson/document.h>

#include "relmap/common/json_text.hpp"
#include "relmap/common/json_writer.hpp"
#include "relmap/common/utf8.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::schemas {
namespace {

std::string lowercase(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

/// CloudEvents 1.0: attribute names are lower-case ASCII letters and digits, 20 at most.
bool is_attribute_name(std::string_view name) {
  return !name.empty() && name.size() <= 20 &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

bool is_json_media_type(std::string_view media_type) {
  return media_type == "application/json" || media_type.ends_with("+json") || media_type == "text/json";
}

/// The body, when it is one JSON object this side of the decoder's depth limit and valid UTF-8.
bool is_json_object(std::string_view data) {
  const auto faults = find_json_text_faults(data, kMaxEventDepth);
  if (faults.too_deep_at || faults.lone_surrogate_at) return false;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(data.data(), data.size());
  return !document.HasParseError() && document.IsObject();
}

}  // namespace

std::string percent_decoded(std::string_view value) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string decoded;
  decoded.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size() && hex(value[i + 1]) >= 0 && hex(value[i + 2]) >= 0) {
      decoded += static_cast<char>(hex(value[i + 1]) * 16 + hex(value[i + 2]));
      i += 2;
    } else {
      decoded += value[i];
    }
  }
  return decoded;
}

Result<std::string, CloudEventProblem> structured_cloud_event(const std::vector<CloudEventAttribute>& attributes,
                                                        std::string_view content_type, std::string_view data,
                                                        std::string_view header_prefix) {
  const std::string media_type = lowercase(content_type.substr(0, content_type.find(';')));
  if (!media_type.empty() && !is_json_media_type(media_type)) {
    return failure(CloudEventProblem{"a binary-mode CloudEvent's data must be JSON (Content-Type application/json), not " + media_type});
  }
  if (!is_json_object(data)) return success(std::string(data));

  JsonWriter writer;
  writer.start_object();
  std::set<std::string> seen;
  for (const auto& [raw_name, value] : attributes) {
    const std::string name = lowercase(raw_name);
    const std::string header = std::string(header_prefix) + name;
    if (!is_attribute_name(name)) return failure(CloudEventProblem{header + ": not a CloudEvents attribute name (a-z, 0-9, at most 20)"});
    if (name == "data" || name == "datacontenttype") return failure(CloudEventProblem{header + ": the data and its type are the body's"});
    if (!seen.insert(name).second) return failure(CloudEventProblem{header + " is given twice"});
    if (first_invalid_utf8(value)) return failure(CloudEventProblem{header + " is not UTF-8"});
    writer.key(name);
    writer.value(value);
  }
  if (!media_type.empty()) {
    writer.key("datacontenttype");
    writer.value("application/json");
  }
  std::string record = writer.str();  // {"specversion":"1.0",...: the object is not ended yet
  record += record.size() > 1 ? ",\"data\":" : "\"data\":";
  record.append(data);
  record += '}';
  return success(std::move(record));
}

}  // namespace relmap::schemas
