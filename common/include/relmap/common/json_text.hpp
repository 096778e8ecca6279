#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace relmap {

/// What a JSON parser alone does not refuse, found in the text before anything parses it.
struct JsonTextFaults {
  /// Offset of the first '[' or '{' that opens a level deeper than the limit.
  std::optional<std::size_t> too_deep_at;
  /// Offset of the first "\uXXXX" escape of a UTF-16 surrogate without its other half: it stands
  /// for no character, and RapidJSON would decode it into bytes that are not UTF-8.
  std::optional<std::size_t> lone_surrogate_at;
};

/// One pass over `text` (not necessarily valid JSON) that never recurses, so any nesting is safe to
/// scan: a parser that recurses (RapidJSON's, and every DOM walk after it) can then be given only text
/// at most `max_depth` levels deep.
JsonTextFaults find_json_text_faults(std::string_view text, std::size_t max_depth);

}  // namespace relmap
