#include "relmap/common/compressed_file.hpp"

#include <climits>
#include <stdexcept>

#include <zlib.h>

namespace relmap {

CompressedFile::CompressedFile(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
  if (file_ == nullptr) throw std::runtime_error("cannot read " + path);
}

CompressedFile::~CompressedFile() { gzclose(file_); }

std::size_t CompressedFile::read(char* data, std::size_t size) {
  const int read = gzread(file_, data, static_cast<unsigned>(std::min<std::size_t>(size, INT_MAX)));
  int code = Z_OK;
  const char* message = gzerror(file_, &code);
  if (read < 0 || (code != Z_OK && code != Z_STREAM_END)) {
    // Z_BUF_ERROR at the end: the compressed data stops before its end, as a cut-off download does.
    throw std::runtime_error(path_ + ": " +
                             (code == Z_BUF_ERROR ? std::string("the compressed file is cut off before its end")
                                                  : std::string("damaged: ") + message));
  }
  return static_cast<std::size_t>(read);
}

}  // namespace relmap
