#pragma once
// CloudEvents in binary content mode (HTTP: ce-* headers; Kafka: ce_* record headers; the data alone
// in the body or value) as the structured-mode record the decoder reads, so that an event gives the
// same stored event and statistics whatever mode it came in.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relmap/common/result.hpp"

namespace relmap::schemas {

/// An attribute from a header, its prefix (ce- or ce_) taken off: name (any case) and value, decoded.
using CloudEventAttribute = std::pair<std::string, std::string>;

/// Why a binary-mode event cannot be made a record (the request is refused as a whole).
struct CloudEventProblem {
  std::string message;
};

/// The structured-mode record of a binary-mode event: {"specversion", "id", ...: the attributes,
/// "datacontenttype", "data": the body}. A body that is a JSON object is kept byte for byte; any other
/// body is returned as it came, for the decoder to refuse with its own reason (invalid_json,
/// invalid_utf8, not_an_object) and the dead-letter topic to keep. Fails, naming the header, for an
/// attribute given twice, a name that is not a CloudEvents attribute name ([a-z0-9], at most 20), or a
/// value that is not UTF-8; and for data that is not JSON by its content type.
Result<std::string, CloudEventProblem> structured_cloud_event(const std::vector<CloudEventAttribute>& attributes,
                                                        std::string_view content_type, std::string_view data,
                                                        std::string_view header_prefix);

/// The value of an HTTP ce-* header: %XX escapes decoded (the HTTP binding's encoding of characters
/// outside printable ASCII); a malformed escape is kept as it is.
std::string percent_decoded(std::string_view value);

}  // namespace relmap::schemas
