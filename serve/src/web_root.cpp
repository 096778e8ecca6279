#include "relmap/serve/web_root.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <xxhash.h>

#include "relmap/http/gzip.hpp"

namespace relmap::serve {
namespace {

struct MediaType {
  std::string_view extension;
  std::string_view content_type;
};

// What web/build.mjs writes, all text: each file large enough is kept gzipped too, so an answer never
// compresses on the fly (a type that does not compress would have been gzipped on every request).
constexpr MediaType kMediaTypes[] = {
    {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
    {".map", "application/json"},          {".svg", "image/svg+xml"},
    {".txt", "text/plain; charset=utf-8"},
};

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

WebRoot WebRoot::load(const std::filesystem::path& directory) {
  if (!std::filesystem::is_regular_file(directory / "index.html")) {
    throw std::runtime_error(directory.string() + " holds no index.html: it is not the web pages' build");
  }
  WebRoot root;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.is_symlink() || !entry.is_regular_file()) continue;
    const auto extension = entry.path().extension().string();
    const MediaType* media = nullptr;
    for (const auto& known : kMediaTypes) {
      if (known.extension == extension) media = &known;
    }
    if (media == nullptr) continue;  // only what a page loads; nothing a build left lying about
    WebFile file;
    file.content_type = media->content_type;
    file.body = read_all(entry.path());
    if (file.body.size() >= http::kGzipFrom) file.gzip = http::gzip(file.body);
    char etag[32];
    std::snprintf(etag, sizeof etag, "\"web-%016llx\"", static_cast<unsigned long long>(XXH3_64bits(file.body.data(), file.body.size())));
    file.etag = etag;
    root.files_.emplace("/" + std::filesystem::relative(entry.path(), directory).generic_string(), std::move(file));
  }
  return root;
}

std::optional<std::filesystem::path> WebRoot::find(std::initializer_list<std::filesystem::path> candidates) {
  for (const auto& candidate : candidates) {
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate / "index.html", error)) return candidate;
  }
  return std::nullopt;
}

const WebFile* WebRoot::file(std::string_view path) const {
  const auto found = files_.find(path == "/" ? std::string("/index.html") : std::string(path));
  return found == files_.end() ? nullptr : &found->second;
}

}  // namespace relmap::serve
