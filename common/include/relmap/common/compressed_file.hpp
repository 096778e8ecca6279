#pragma once

#include <cstddef>
#include <memory>
#include <string>

struct gzFile_s;

namespace relmap {

/// A file read through zlib: gzip-compressed or plain, the same bytes either way (logs come both
/// ways, and the name does not always say which).
///
/// A damaged file is an error, never an early end: zlib reports a compressed stream that stops
/// before its trailer (a truncated download) only when asked, and a reader that did not ask took
/// the bytes before the damage for the whole file.
class CompressedFile {
 public:
  /// Throws std::runtime_error when the file cannot be opened.
  explicit CompressedFile(const std::string& path);
  ~CompressedFile();
  CompressedFile(const CompressedFile&) = delete;
  CompressedFile& operator=(const CompressedFile&) = delete;

  /// Up to `size` bytes into `data`; 0 at the end of the file. Throws std::runtime_error naming
  /// the file when it is damaged or ends inside a compressed stream.
  std::size_t read(char* data, std::size_t size);

 private:
  std::string path_;
  gzFile_s* file_;
};

}  // namespace relmap
