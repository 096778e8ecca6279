// The web pages' files answered at /: only files that were in the web root at start, with their
// type, ETag, gzip and the page security headers, and no path that leads outside it.
#include "relmap/serve/web_root.hpp"

#include <filesystem>
#include <fstream>

#include <boost/beast/http.hpp>
#include <gtest/gtest.h>

#include "relmap/serve/api.hpp"

namespace relmap::serve {
namespace {

namespace bhttp = boost::beast::http;

class WebRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("relmap-web-root-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "assets");
    write(root_ / "index.html", "<!doctype html><title>relmap</title>");
    write(root_ / "app.js", std::string(4096, 'x'));
    write(root_ / "assets" / "logo.svg", "<svg/>");
    write(root_ / "notes.md", "a file a page never loads");
    write(root_.parent_path() / "relmap-web-root-secret.txt", "outside the root");
    std::filesystem::create_symlink(root_.parent_path() / "relmap-web-root-secret.txt", root_ / "secret.txt");
  }
  void TearDown() override {
    std::filesystem::remove_all(root_);
    std::filesystem::remove(root_.parent_path() / "relmap-web-root-secret.txt");
  }
  static void write(const std::filesystem::path& path, const std::string& text) { std::ofstream(path) << text; }

  http::Response get(const Api& api, const std::string& target, bool gzip = false) {
    http::Request request{bhttp::verb::get, target, 11};
    if (gzip) request.set(bhttp::field::accept_encoding, "gzip");
    return api.handle(request);
  }

  std::filesystem::path root_;
};

TEST_F(WebRootTest, AnswersItsFilesWithoutATokenAndWithThePagePolicy) {
  ApiSettings settings;
  settings.access = AccessList::parse("t operations\n", "tokens");
  settings.web = std::make_shared<const WebRoot>(WebRoot::load(root_));
  const Api api(std::move(settings));
  const auto index = get(api, "/");
  EXPECT_EQ(index.result(), bhttp::status::ok);
  EXPECT_EQ(index.body(), "<!doctype html><title>relmap</title>");
  EXPECT_EQ(index[bhttp::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(index["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(index["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(get(api, "/assets/logo.svg")[bhttp::field::content_type], "image/svg+xml");

  const auto script = get(api, "/app.js", true);
  EXPECT_EQ(script[bhttp::field::content_encoding], "gzip");
  EXPECT_LT(script.body().size(), 4096u);
  http::Request again{bhttp::verb::get, "/app.js", 11};
  again.set(bhttp::field::if_none_match, script[bhttp::field::etag]);
  EXPECT_EQ(api.handle(again).result(), bhttp::status::not_modified);

  EXPECT_EQ(get(api, "/api/v1/graph").result(), bhttp::status::unauthorized) << "the pages are open, the API is not";
}

TEST_F(WebRootTest, NoPathReachesBeyondTheFilesLoadedAtStart) {
  ApiSettings settings;
  settings.allow_unauthenticated = true;
  settings.web = std::make_shared<const WebRoot>(WebRoot::load(root_));
  const Api api(std::move(settings));
  for (const std::string target : {"/../relmap-web-root-secret.txt", "/assets/../../relmap-web-root-secret.txt", "/%2e%2e/relmap-web-root-secret.txt",
                                   "/secret.txt", "/notes.md", "/assets", "/etc/passwd", "//index.html/"}) {
    const auto response = get(api, target);
    EXPECT_TRUE(response.result() == bhttp::status::not_found || response.result() == bhttp::status::bad_request) << target;
    EXPECT_EQ(response.body().find("outside the root"), std::string::npos) << target;
  }
  write(root_ / "later.js", "written after start");
  EXPECT_EQ(get(api, "/later.js").result(), bhttp::status::not_found);
}

TEST_F(WebRootTest, AFolderWithoutIndexIsNotThePages) {
  std::filesystem::remove(root_ / "index.html");
  EXPECT_THROW(WebRoot::load(root_), std::runtime_error);
  EXPECT_FALSE(WebRoot::find({root_, root_ / "assets"}).has_value());
}

TEST(WebRootAbsent, TheApiAloneSaysThePagesAreNotInstalled) {
  ApiSettings settings;
  settings.allow_unauthenticated = true;
  const Api api(std::move(settings));
  const auto response = api.handle(http::Request{bhttp::verb::get, "/", 11});
  EXPECT_EQ(response.result(), bhttp::status::not_found);
  EXPECT_NE(response.body().find("not installed"), std::string::npos);
}

}  // namespace
}  // namespace relmap::serve
