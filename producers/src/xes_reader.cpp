// XES (IEEE 1849) event logs, streamed with expat so that logs larger than memory can be imported.
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <expat.h>

#include "relmap/common/compressed_file.hpp"
#include "relmap/producer/process_log.hpp"

namespace relmap::producer {
namespace {

/// The XES elements that carry one attribute (key, value).
bool is_attribute_element(std::string_view name) {
  return name == "string" || name == "date" || name == "int" || name == "float" || name == "boolean" ||
         name == "id";
}

/// Element names without a namespace prefix ("xes:trace" -> "trace").
std::string_view local_name(const char* name) {
  const std::string_view full{name};
  const auto colon = full.rfind(':');
  return colon == std::string_view::npos ? full : full.substr(colon + 1);
}

const char* attribute_of(const char** attributes, const char* wanted) {
  for (int i = 0; attributes[i] != nullptr; i += 2) {
    if (std::strcmp(attributes[i], wanted) == 0) return attributes[i + 1];
  }
  return nullptr;
}

/// Keeps track of where in the log the parser is and collects one trace at a time.
class XesHandler {
 public:
  XesHandler(const ProcessLogSettings& settings, const std::function<void(const schemas::Event&)>& on_handoff)
      : settings_(settings), on_handoff_(on_handoff) {}

  void start(const char* raw_name, const char** attributes) {
    const auto name = local_name(raw_name);
    // Only attributes that are direct children of <trace> or <event> count; nested ones (meta data)
    // and those of <log> or <global> do not.
    const bool direct_child = depth_in_trace_ == 1 || (in_event_ && depth_in_event_ == 1);
    if (name == "trace" && depth_in_trace_ == 0) {
      depth_in_trace_ = 1;
      case_id_.reset();
      activities_.clear();
      return;
    }
    if (depth_in_trace_ > 0) ++depth_in_trace_;
    if (in_event_) ++depth_in_event_;
    if (name == "event" && depth_in_trace_ == 2) {
      in_event_ = true;
      depth_in_event_ = 1;
      activities_.emplace_back();
      return;
    }
    if (!direct_child || !is_attribute_element(name)) return;
    const char* key = attribute_of(attributes, "key");
    const char* value = attribute_of(attributes, "value");
    if (key == nullptr || value == nullptr) return;
    if (in_event_) {
      constexpr std::size_t kAttributesListed = 64;  // what a person reads; a hostile log may have millions
      if (counts_.event_attributes.size() < kAttributesListed) counts_.event_attributes.insert(key);
      if (name == "date" && std::strcmp(key, "time:timestamp") == 0) {
        activities_.back().at = parse_log_timestamp(value);
        // Left out, it would silently reorder the case's handoffs around the gap.
        if (!activities_.back().at) stop("time:timestamp \"" + std::string(value) + "\" is not a date-time");
      }
      if (key == settings_.department_attribute && *value != '\0') activities_.back().department = value;
    } else if (std::strcmp(key, "concept:name") == 0) {
      case_id_ = value;
    }
  }

  void end(const char* raw_name) {
    const auto name = local_name(raw_name);
    if (in_event_ && name == "event" && depth_in_event_ == 1) {
      in_event_ = false;
      depth_in_event_ = 0;
      if (depth_in_trace_ > 0) --depth_in_trace_;
      return;
    }
    if (in_event_) --depth_in_event_;
    if (depth_in_trace_ == 1 && name == "trace") {
      depth_in_trace_ = 0;
      finish_trace();
      return;
    }
    if (depth_in_trace_ > 0) --depth_in_trace_;
  }

  const ProcessLogCounts& counts() const { return counts_; }
  /// Why the handler stopped the parser, if it did.
  const std::optional<std::string>& problem() const { return problem_; }
  void parse_with(XML_Parser parser) { parser_ = parser; }

 private:
  void finish_trace() {
    // A trace without a name still is a case; number it so its id is stable within the file.
    const std::string case_id = case_id_.value_or("trace-" + std::to_string(counts_.cases + 1));
    emit_case(settings_.source, case_id, std::move(activities_), counts_, on_handoff_);
    activities_.clear();
  }

  /// Stops the parse at the element being read (an exception must not cross expat's C frames).
  void stop(std::string why) {
    if (!problem_) problem_ = std::move(why);
    XML_StopParser(parser_, XML_FALSE);
  }

  const ProcessLogSettings& settings_;
  const std::function<void(const schemas::Event&)>& on_handoff_;
  XML_Parser parser_ = nullptr;
  std::optional<std::string> problem_;
  int depth_in_trace_ = 0;  // 1 inside <trace> itself, more inside its children
  bool in_event_ = false;
  int depth_in_event_ = 0;
  std::optional<std::string> case_id_;
  std::vector<LoggedActivity> activities_;
  ProcessLogCounts counts_;
};

}  // namespace

ProcessLogCounts read_xes(const std::string& path, const ProcessLogSettings& settings,
                          const std::function<void(const schemas::Event&)>& on_handoff) {
  CompressedFile file(path);
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser{XML_ParserCreate(nullptr), &XML_ParserFree};
  XesHandler handler(settings, on_handoff);
  handler.parse_with(parser.get());
  XML_SetUserData(parser.get(), &handler);
  XML_SetElementHandler(
      parser.get(),
      [](void* data, const XML_Char* name, const XML_Char** attributes) {
        static_cast<XesHandler*>(data)->start(name, attributes);
      },
      [](void* data, const XML_Char* name) { static_cast<XesHandler*>(data)->end(name); });

  std::vector<char> buffer(1 << 16);
  while (true) {
    const auto read = static_cast<int>(file.read(buffer.data(), buffer.size()));
    const bool last = read == 0;
    if (XML_Parse(parser.get(), buffer.data(), read, last ? 1 : 0) == XML_STATUS_ERROR) {
      const std::string where = path + ":" + std::to_string(XML_GetCurrentLineNumber(parser.get())) + ": ";
      if (handler.problem()) throw std::runtime_error(where + *handler.problem());
      throw std::runtime_error(where + "not well-formed XES: " + XML_ErrorString(XML_GetErrorCode(parser.get())));
    }
    if (last) break;
  }
  return handler.counts();
}

}  // namespace relmap::producer
