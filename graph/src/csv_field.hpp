#pragma once

#include <string>

#include <csv.h>

namespace relmap::graph {

/// One RFC 4180 field, quoted by libcsv.
inline std::string csv_field(const std::string& text) {
  std::string quoted(text.size() * 2 + 2, '\0');
  quoted.resize(csv_write(quoted.data(), quoted.size(), text.data(), text.size()));
  return quoted;
}

}  // namespace relmap::graph
