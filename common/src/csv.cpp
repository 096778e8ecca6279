#include "relmap/common/csv.hpp"

#include <memory>
#include <stdexcept>

#include <csv.h>
#include <zlib.h>

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
  // gzopen reads plain files as they are, so .csv and .csv.gz take the same path.
  std::unique_ptr<gzFile_s, decltype(&gzclose)> file{gzopen(path.c_str(), "rb"), &gzclose};
  if (!file) throw std::runtime_error("cannot read " + path);
  csv_parser parser{};
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) throw std::runtime_error("cannot start the CSV parser");
  std::unique_ptr<csv_parser, decltype(&csv_free)> owned{&parser, &csv_free};
  csv_set_delim(&parser, static_cast<unsigned char>(delimiter));
  RowCollector collector{on_row, {}};
  std::vector<char> buffer(1 << 16);
  std::uint64_t offset = 0;
  while (true) {
    const int read = gzread(file.get(), buffer.data(), static_cast<unsigned>(buffer.size()));
    if (read < 0) {
      int code = 0;
      throw std::runtime_error(path + ": " + gzerror(file.get(), &code));
    }
    if (read == 0) break;
    const auto size = static_cast<std::size_t>(read);
    if (csv_parse(&parser, buffer.data(), size, on_field, on_row_end, &collector) != size) {
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
