#pragma once

#include <string_view>
#include <vector>

namespace relmap::schemas::detail {

struct EmbeddedSchema {
  std::string_view file_name;
  std::string_view text;
};

const std::vector<EmbeddedSchema>& embedded_schemas();

}  // namespace relmap::schemas::detail
