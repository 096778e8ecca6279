#include "relmap/common/csv.hpp"

#include <memory>
#include <string_view>
#include <stdexcept>

#include <csv.h>

#include "relmap/common/compressed_file.hpp"

namespace relmap {
namespace {

struct RowCollector {
  const std::function<void(std::vector<std::string>&)>& on_row;
  std::vector<std::string> row;
};

void on_field(void* data, std::size_t size, void* collector) {
  static_cast<RowCollector*>(collector)->row.emplace_back(static_cast<const char*>(data), data ? size : 0);
}

void on_row_end(int, void* opaque) {
  auto& collector = *static_cast<RowCollector*>(opaque);
  collector.on_row(collector.row);
  collector.row.clear();
}

}  // namespace

void for_each_csv_row(const std::string& path, char delimiter,
                      const std::function<void(std::vector<std::string>& row)>& on_row) {
  CompressedFile file(path);
  csv_parser parser{};
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::runtime_error("cannot start the CSV parser");
  std::unique_ptr<csv_parser, decltype(&csv_free)> owned{&parser, &csv_free};
  csv_set_delim(&parser, static_cast<unsigned char>(delimiter));
  RowCollector collector{on_row, {}};
  std::vector<char> buffer(1 << 16);
  std::uint64_t offset = 0;
  while (const auto size = file.read(buffer.data(), buffer.size())) {
    std::string_view bytes{buffer.data(), size};
    // Excel and many Windows tools begin a UTF-8 file with a byte-order mark: not part of the header.
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    if (offset == 0 && bytes.substr(0, kByteOrderMark.size()) == kByteOrderMark) bytes.remove_prefix(kByteOrderMark.size());
    if (csv_parse(&parser, bytes.data(), bytes.size(), on_field, on_row_end, &collector) != bytes.size()) {
      throw std::runtime_error(path + ": malformed CSV near byte " + std::to_string(offset + size) + ": " +
                               csv_strerror(csv_error(&parser)));
    }
    offset += size;
  }
  if (csv_fini(&parser, on_field, on_row_end, &collector) != 0) {
    throw std::runtime_error(path + ": malformed CSV at the end: " + csv_strerror(csv_error(&parser)));
  }
}

std::string csv_quote(const std::string& text) {
  std::string quoted(text.size() * 2 + 2, '\0');
  quoted.resize(csv_write(quoted.data(), quoted.size(), text.data(), text.size()));
  return quoted;
}

}  // namespace relmap
