#pragma once

#include <compare>
#include <string>
#include <string_view>

namespace relmap::aggregation {

/// A department id held once per process and referred to by an 8-byte handle. An organisation has a
/// bounded set of departments that every case repeats, and per-case memory is the aggregator's limit.
/// Names are never released (a few thousand at most); free text such as topics is not interned.
///
/// Threading: interning is thread-safe; handles are immutable.
class DepartmentName {
 public:
  DepartmentName();
  explicit DepartmentName(std::string_view name);

  const std::string& str() const { return *text_; }
  operator const std::string&() const { return *text_; }  // NOLINT: reads as the id it stands for

  /// One handle per distinct name, so equality is identity.
  friend bool operator==(DepartmentName a, DepartmentName b) { return a.text_ == b.text_; }
  friend bool operator==(DepartmentName a, std::string_view b) { return a.str() == b; }
  friend std::strong_ordering operator<=>(DepartmentName a, DepartmentName b) {
    return a.text_ == b.text_ ? std::strong_ordering::equal : a.str().compare(b.str()) <=> 0;
  }

 private:
  const std::string* text_;
};

}  // namespace relmap::aggregation
