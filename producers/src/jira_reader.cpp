// Jira issue changelogs (the REST API's JSON, as exported with expand=changelog) as a process log:
// each change of the chosen field is a move of the issue between two owners.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "relmap/common/compressed_file.hpp"
#include "relmap/producer/process_log.hpp"

namespace relmap::producer {
namespace {

using Json = rapidjson::Value;

const Json* member(const Json& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto found = object.FindMember(name);
  return found == object.MemberEnd() ? nullptr : &found->value;
}

std::optional<std::string> string_member(const Json& object, const char* name) {
  const Json* value = member(object, name);
  if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) return std::nullopt;
  return std::string(value->GetString(), value->GetStringLength());
}

class JiraIssues {
 public:
  JiraIssues(std::string path, const ProcessLogSettings& settings) : path_(std::move(path)), settings_(settings) {}

  void read_issue(const Json& issue, std::size_t index, const std::function<void(const schemas::Event&)>& on_handoff) {
    const auto fail = [&](const std::string& why) {
      throw std::runtime_error(path_ + ": issue " + std::to_string(index + 1) + ": " + why);
    };
    const auto key = string_member(issue, "key");
    if (!key) fail("has no \"key\"");
    std::vector<LoggedActivity> activities;
    const Json* changelog = member(issue, "changelog");
    const Json* histories = changelog == nullptr ? nullptr : member(*changelog, "histories");
    if (histories != nullptr && !histories->IsArray()) fail(*key + ": \"changelog.histories\" is not an array");
    if (histories != nullptr) {
      const Json* total = member(*changelog, "total");
      if (total != nullptr && total->IsUint64() && total->GetUint64() > histories->Size()) {
        fail(*key + ": the changelog holds " + std::to_string(histories->Size()) + " of its " +
             std::to_string(total->GetUint64()) +
             " histories (Jira cuts expanded changelogs short): export its whole changelog, from "
             "/rest/api/3/issue/" + *key + "/changelog, into the issue's \"histories\"");
      }
      for (const auto& history : histories->GetArray()) read_history(history, *key, activities);
    }
    emit_case(settings_.source, *key, std::move(activities), counts_, on_handoff);
  }

  ProcessLogCounts counts() {
    counts_.event_attributes = std::move(fields_);
    return counts_;
  }

 private:
  void read_history(const Json& history, const std::string& key, std::vector<LoggedActivity>& activities) {
    const auto created = string_member(history, "created");
    LoggedActivity change;
    if (created) {
      change.at = parse_log_timestamp(*created);
      if (!change.at) {
        throw std::runtime_error(path_ + ": issue " + key + ": created \"" + *created + "\" is not a date-time");
      }
    }
    const Json* items = member(history, "items");
    if (items == nullptr || !items->IsArray()) return;
    for (const auto& item : items->GetArray()) {
      const auto field = string_member(item, "field");
      const auto field_id = string_member(item, "fieldId");
      if (field) fields_.insert(*field);
      if (field != settings_.department_attribute && field_id != settings_.department_attribute) {
        activities.push_back({change.at, std::nullopt});
        continue;
      }
      if (auto from = string_member(item, "fromString")) activities.push_back({change.at, std::move(from)});
      activities.push_back({change.at, string_member(item, "toString")});
    }
  }

  std::string path_;
  const ProcessLogSettings& settings_;
  ProcessLogCounts counts_;
  std::set<std::string> fields_;
};

}  // namespace

ProcessLogCounts read_jira_changelog(const std::string& path, const ProcessLogSettings& settings,
                                     const std::function<void(const schemas::Event&)>& on_handoff) {
  std::string text;
  CompressedFile file(path);
  std::vector<char> buffer(1 << 16);
  while (const auto read = file.read(buffer.data(), buffer.size())) text.append(buffer.data(), read);

  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (document.HasParseError()) {
    throw std::runtime_error(path + ": not valid JSON at byte " + std::to_string(document.GetErrorOffset()) + ": " +
                             rapidjson::GetParseError_En(document.GetParseError()));
  }
  const Json* issues = &document;
  if (const Json* listed = member(document, "issues")) issues = listed;
  JiraIssues reader(path, settings);
  if (issues->IsArray()) {
    for (rapidjson::SizeType i = 0; i < issues->Size(); ++i) reader.read_issue((*issues)[i], i, on_handoff);
  } else if (issues->IsObject()) {
    reader.read_issue(*issues, 0, on_handoff);
  } else {
    throw std::runtime_error(path + ": expected Jira issues (an object with \"issues\", an array, or one issue)");
  }
  return reader.counts();
}

}  // namespace relmap::producer
