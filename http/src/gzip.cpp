#include "relmap/http/gzip.hpp"

#include <stdexcept>

#include <boost/algorithm/string/erase.hpp>
#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <zlib.h>

namespace relmap::http {

std::string gzip(std::string_view data) {
  z_stream stream{};
  constexpr int kGzipWindow = 15 + 16;  // the largest window, with a gzip header and trailer
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib could not start compressing");
  }
  std::string compressed(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_out = static_cast<uInt>(compressed.size());
  const int result = deflate(&stream, Z_FINISH);
  compressed.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) throw std::runtime_error("zlib could not compress a body");
  return compressed;
}

bool accepts_gzip(const Request& request) {
  const auto header = request[boost::beast::http::field::accept_encoding];
  std::vector<std::string> codings;
  boost::algorithm::split(codings, std::string(header), [](char c) { return c == ','; });
  for (auto& coding : codings) {
    boost::algorithm::trim(coding);
    const auto parameters = coding.find(';');
    std::string name = coding.substr(0, parameters);
    boost::algorithm::trim(name);
    if (!boost::algorithm::iequals(name, "gzip") && name != "*") continue;
    if (parameters == std::string::npos) return true;
    std::string quality = coding.substr(parameters + 1);
    boost::algorithm::erase_all(quality, " ");
    return !(boost::algorithm::istarts_with(quality, "q=0") &&
             quality.find_first_not_of("q=0.", 0) == std::string::npos);
  }
  return false;
}

}  // namespace relmap::http
