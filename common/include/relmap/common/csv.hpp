#pragma once
// RFC 4180 CSV through libcsv: reading rows of a file (plain or gzip) and quoting fields for writing.

#include <functional>
#include <string>
#include <vector>

namespace relmap {

/// Calls `on_row` for every row of the file, the header included, in order; a blank line is one
/// empty field. Throws std::runtime_error naming the file and byte on malformed CSV.
void for_each_csv_row(const std::string& path, char delimiter,
                      const std::function<void(std::vector<std::string>& row)>& on_row);

/// One field, quoted.
std::string csv_quote(const std::string& text);

}  // namespace relmap
