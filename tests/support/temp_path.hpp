#pragma once
// A file or directory a test writes under gtest's temporary directory, removed when the test is
// done with it: a test run leaves nothing behind (CI runs them again and again on one machine).

#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace relmap::testing {

class TempPath {
 public:
  explicit TempPath(const std::string& name) : path_(::testing::TempDir() + name) {}
  ~TempPath() {
    std::error_code ignored;  // already gone, or never written: nothing to clean
    std::filesystem::remove_all(path_, ignored);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;

  const std::string& str() const { return path_; }

 private:
  std::string path_;
};

}  // namespace relmap::testing
