#pragma once
// The web pages' built files (web/, built into the build tree's web/ or installed beside the binary),
// read into memory once: a request can name only a file that was there at start, so no path, however
// crafted, reaches anything outside the web root.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace relmap::serve {

struct WebFile {
  std::string content_type;
  std::string body;
  std::string gzip;  ///< empty below http::kGzipFrom bytes, where the body goes as it is
  std::string etag;
};

class WebRoot {
 public:
  /// Every regular file under `directory` (symbolic links are not followed). Throws
  /// std::runtime_error when it holds no index.html: a folder that is not the pages' build.
  static WebRoot load(const std::filesystem::path& directory);
  /// The first of `candidates` that holds an index.html, if any.
  static std::optional<std::filesystem::path> find(std::initializer_list<std::filesystem::path> candidates);

  /// The file at a request's decoded path ("/" is index.html); nullptr when there is none.
  const WebFile* file(std::string_view path) const;
  std::size_t size() const { return files_.size(); }

 private:
  std::unordered_map<std::string, WebFile> files_;  ///< by path from the root, "/app.js"
};

}  // namespace relmap::serve
