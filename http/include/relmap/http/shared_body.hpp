#pragma once
// A Beast body for answers: its own text, or bytes shared with whoever keeps them (a snapshot's graph,
// a cached answer), sent without being copied into each response.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/optional.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>

namespace relmap::http {

struct SharedBody {
  class value_type {
   public:
    value_type() = default;
    value_type& operator=(std::string text) {
      owned_ = std::move(text);
      shared_.reset();
      return *this;
    }
    /// Sends `bytes` as they are; they stay alive, unchanged, until the answer is written.
    void share(std::shared_ptr<const std::string> bytes) {
      shared_ = std::move(bytes);
      owned_.clear();
    }
    const std::string& str() const { return shared_ ? *shared_ : owned_; }
    std::size_t size() const { return str().size(); }
    bool empty() const { return str().empty(); }
    const char* c_str() const { return str().c_str(); }
    std::size_t find(std::string_view text, std::size_t from = 0) const { return str().find(text, from); }
    friend bool operator==(const value_type& body, std::string_view text) { return body.str() == text; }
    friend bool operator==(const value_type& a, const value_type& b) { return a.str() == b.str(); }
    friend std::ostream& operator<<(std::ostream& out, const value_type& body) { return out << body.str(); }

   private:
    std::string owned_;
    std::shared_ptr<const std::string> shared_;
  };

  static std::uint64_t size(const value_type& body) { return body.size(); }

  class writer {
   public:
    using const_buffers_type = boost::asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}
    void init(boost::beast::error_code& error) { error = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& error) {  // Beast's signature
      error = {};
      if (sent_) return boost::none;
      sent_ = true;
      return std::pair<const_buffers_type, bool>{boost::asio::buffer(body_.str().data(), body_.size()), false};
    }

   private:
    const value_type& body_;
    bool sent_ = false;
  };
};

}  // namespace relmap::http
