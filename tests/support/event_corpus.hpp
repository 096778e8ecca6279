#pragma once
// The event corpus of tests/data/events/ as the decoder tests read it: valid.jsonl (each valid input
// beside its canonical form) and invalid.tsv (code, exact reason, raw bytes).

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "relmap/common/json_writer.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap::testing {

inline const std::string kEventCorpus = std::string(RELMAP_TEST_DATA_DIR) + "/events/";

/// The time bounds the corpus is judged with: the default ones, processed at 2030-01-01T00:00:00Z,
/// so that its verdicts do not depend on the day the tests run.
inline schemas::TimeBounds corpus_time_bounds() {
  schemas::TimeBounds bounds;
  bounds.now = [] { return Timestamp{std::chrono::sys_days{std::chrono::year{2030} / 1 / 1}}; };
  return bounds;
}

/// The lines of a corpus file, without comment lines ('#') and empty ones.
inline std::vector<std::string> corpus_lines(const std::string& file_name) {
  const std::string path = kEventCorpus + file_name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.front() != '#') lines.push_back(line);
  }
  return lines;
}

inline std::string compact(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  relmap::JsonTextWriter writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

struct InvalidRecord {
  std::string code;
  std::string reason;
  std::string raw;
};

inline std::vector<InvalidRecord> invalid_records() {
  std::vector<InvalidRecord> records;
  for (const auto& line : corpus_lines("invalid.tsv")) {
    const auto first_tab = line.find('\t');
    const auto second_tab = line.find('\t', first_tab + 1);
    records.push_back({line.substr(0, first_tab), line.substr(first_tab + 1, second_tab - first_tab - 1),
                       line.substr(second_tab + 1)});
  }
  return records;
}

}  // namespace relmap::testing
