#include "relmap/aggregation/state_codec.hpp"

#include <msgpack.hpp>

namespace relmap::aggregation {
namespace {

/// The first element of every record: a reader refuses a format it does not know rather than
/// misreading it.
constexpr std::uint32_t kFormatVersion = 1;

/// Times in the topics: integer microseconds since the epoch.
std::int64_t micros(Timestamp at) { return at.time_since_epoch().count(); }

/// msgpack's output stream: the record's bytes, written straight into the string the producer sends.
struct StringStream {
  std::string bytes;
  void write(const char* data, std::size_t size) { bytes.append(data, size); }
};

/// Packs one record as a msgpack array whose first element is the format version.
class RecordWriter {
 public:
  explicit RecordWriter(std::size_t fields) {
    out_.bytes.reserve(256);
    packer_.pack_array(static_cast<std::uint32_t>(fields + 1));
    packer_.pack(kFormatVersion);
  }

  void array(std::size_t size) { packer_.pack_array(static_cast<std::uint32_t>(size)); }
  void value(std::string_view text) {
    packer_.pack_str(static_cast<std::uint32_t>(text.size()));
    packer_.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
  }
  void value(const DepartmentName& name) { value(std::string_view{name.str()}); }
  void value(Timestamp at) { packer_.pack(micros(at)); }
  void value(std::uint64_t number) { packer_.pack(number); }
  void value(bool flag) { packer_.pack(flag); }
  void value(schemas::Outcome outcome) { value(schemas::to_string(outcome)); }
  void nil() { packer_.pack_nil(); }
  template <typename T>
  void value(const std::optional<T>& maybe) {
    if (maybe) {
      value(*maybe);
    } else {
      nil();
    }
  }
  /// Several members of one entry, in order.
  template <typename... Members>
  void entry(const Members&... members) {
    array(sizeof...(members));
    (value(members), ...);
  }
  /// An array with one element per item; `write_item(item)` writes the item's element.
  template <typename Range, typename WriteItem>
  void each(const Range& items, const WriteItem& write_item) {
    array(items.size());
    for (const auto& item : items) write_item(item);
  }
  /// 64-bit hashes as one binary of 8 little-endian bytes each: a copy, not a value per hash.
  void hashes(const EventIdHashes& hashes) {
    std::string bytes(hashes.size() * 8, '\0');
    std::size_t at = 0;
    for (std::uint64_t hash : hashes) {
      for (int byte = 0; byte < 8; ++byte) bytes[at++] = static_cast<char>(hash >> (8 * byte));
    }
    packer_.pack_bin(static_cast<std::uint32_t>(bytes.size()));
    packer_.pack_bin_body(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
  }

  std::string take() { return std::move(out_.bytes); }

 private:
  StringStream out_;
  msgpack::packer<StringStream> packer_{out_};
};

/// Reads the elements of one msgpack array in order. Any missing or mistyped element throws
/// (msgpack::type_error for a type), and the decoder turns that into "unreadable".
class Fields {
 public:
  explicit Fields(const msgpack::object& array) : array_(array) {
    if (array.type != msgpack::type::ARRAY) throw msgpack::type_error();
  }
  /// The fields of a record: checks the format version first.
  static Fields of_record(const msgpack::object& root) {
    Fields fields(root);
    if (fields.next().as<std::uint32_t>() != kFormatVersion) throw msgpack::type_error();
    return fields;
  }

  const msgpack::object& next() {
    if (next_ >= array_.via.array.size) throw msgpack::type_error();
    return array_.via.array.ptr[next_++];
  }
  std::string text() { return next().as<std::string>(); }
  DepartmentName department() { return DepartmentName(next().as<std::string_view>()); }
  Timestamp time() { return Timestamp{std::chrono::microseconds{next().as<std::int64_t>()}}; }
  bool boolean() { return next().as<bool>(); }
  std::uint64_t count() { return next().as<std::uint64_t>(); }
  std::optional<std::string> optional_text() {
    const msgpack::object& value = next();
    if (value.is_nil()) return std::nullopt;
    return value.as<std::string>();
  }
  std::optional<Timestamp> optional_time() {
    const msgpack::object& value = next();
    if (value.is_nil()) return std::nullopt;
    return Timestamp{std::chrono::microseconds{value.as<std::int64_t>()}};
  }
  /// Calls `read_item(Fields&)` for each element of the next field, an array of arrays.
  template <typename ReadItem>
  void each(const ReadItem& read_item) {
    const msgpack::object& items = next();
    if (items.type != msgpack::type::ARRAY) throw msgpack::type_error();
    for (std::uint32_t i = 0; i < items.via.array.size; ++i) {
      Fields item(items.via.array.ptr[i]);
      read_item(item);
    }
  }
  std::vector<std::string> texts() {
    std::vector<std::string> values;
    const msgpack::object& items = next();
    if (items.type != msgpack::type::ARRAY) throw msgpack::type_error();
    for (std::uint32_t i = 0; i < items.via.array.size; ++i) values.push_back(items.via.array.ptr[i].as<std::string>());
    return values;
  }
  EventIdHashes hashes() {
    const msgpack::object& value = next();
    if (value.type != msgpack::type::BIN || value.via.bin.size % 8 != 0) throw msgpack::type_error();
    std::vector<std::uint64_t> hashes(value.via.bin.size / 8);
    const auto* bytes = reinterpret_cast<const unsigned char*>(value.via.bin.ptr);
    for (auto& hash : hashes) {
      for (int byte = 0; byte < 8; ++byte) hash |= std::uint64_t{*bytes++} << (8 * byte);
    }
    return EventIdHashes(hashes.begin(), hashes.end());
  }

 private:
  const msgpack::object& array_;
  std::uint32_t next_ = 0;
};

/// Runs `read(Fields&)` over a record; nullopt when the bytes are not a record this version reads.
template <typename Read>
auto read_record(std::string_view bytes, const Read& read) -> std::optional<decltype(read(std::declval<Fields&>()))> {
  try {
    const msgpack::object_handle handle = msgpack::unpack(bytes.data(), bytes.size());
    Fields fields = Fields::of_record(handle.get());
    return read(fields);
  } catch (const std::exception&) {  // msgpack's parse and type errors, and an unknown outcome
    return std::nullopt;
  }
}

schemas::Outcome outcome_named(std::string_view name) {
  if (name == "resolved") return schemas::Outcome::resolved;
  if (name == "declined") return schemas::Outcome::declined;
  if (name == "redirected") return schemas::Outcome::redirected;
  throw std::invalid_argument("unknown outcome");
}

/// Andons are the same in a case's state and in its facts.
void write_andons(RecordWriter& record, const std::vector<AndonRecord>& andons) {
  record.each(andons, [&](const AndonRecord& andon) { record.entry(andon.at, andon.from, andon.about); });
}

std::vector<AndonRecord> read_andons(Fields& fields) {
  std::vector<AndonRecord> andons;
  fields.each([&](Fields& andon) { andons.push_back({andon.time(), andon.text(), andon.text()}); });
  return andons;
}

}  // namespace

std::string encode_case_state(const CaseState& state) {
  RecordWriter record(7);
  record.hashes(state.event_ids);
  record.each(state.departments, [&](const DepartmentName& name) { record.value(name); });
  record.value(state.last_event);
  record.each(state.requests, [&](const auto& entry) {
    const auto& [id, request] = entry;
    record.array(11);
    record.value(std::string_view{id});
    record.value(request.seen);
    record.value(request.from);
    record.value(request.to);
    record.value(std::string_view{request.topic});
    record.value(request.asked_at);
    record.value(request.due_at);
    record.value(request.answered ? std::optional{request.outcome} : std::nullopt);
    record.value(request.answered_at);
    record.value(std::string_view{request.answer_event_id});
    record.each(request.waiting, [&](const schemas::Event& response) { record.value(schemas::to_json(response)); });
  });
  record.each(state.handoffs, [&](const HandoffRecord& handoff) {
    record.entry(handoff.at, std::string_view{handoff.event_id}, handoff.from, handoff.to);
  });
  record.each(state.feedback, [&](const FeedbackRecord& feedback) {
    record.entry(feedback.at, std::string_view{feedback.event_id}, feedback.solved, feedback.about);
  });
  write_andons(record, state.andons);
  return record.take();
}

std::optional<CaseState> decode_case_state(std::string_view bytes, const schemas::Decoder& decoder) {
  return read_record(bytes, [&](Fields& fields) {
    CaseState state;
    state.event_ids = fields.hashes();
    for (const auto& name : fields.texts()) state.departments.emplace_hint(state.departments.end(), name);
    state.last_event = fields.time();
    fields.each([&](Fields& entry) {
      std::string id = entry.text();
      RequestState request;
      request.seen = entry.boolean();
      request.from = entry.department();
      request.to = entry.department();
      request.topic = entry.text();
      request.asked_at = entry.time();
      request.due_at = entry.time();
      if (const auto outcome = entry.optional_text()) {
        request.answered = true;
        request.outcome = outcome_named(*outcome);
      }
      request.answered_at = entry.time();
      request.answer_event_id = entry.text();
      for (const auto& waiting : entry.texts()) {
        auto response = decoder.decode(waiting);
        if (!response.has_value()) throw std::invalid_argument("unreadable waiting response");
        request.waiting.push_back(std::move(response).value());
      }
      state.requests.emplace(std::move(id), std::move(request));
    });
    fields.each([&](Fields& handoff) {
      state.handoffs.push_back({handoff.time(), handoff.text(), handoff.department(), handoff.department()});
    });
    fields.each([&](Fields& feedback) {
      state.feedback.push_back({feedback.time(), feedback.text(), feedback.boolean(), feedback.optional_text()});
    });
    state.andons = read_andons(fields);
    return state;
  });
}

std::string encode_case_facts(const CaseFacts& facts) {
  RecordWriter record(5);
  record.each(facts.departments, [&](const std::string& name) { record.value(std::string_view{name}); });
  record.each(facts.requests, [&](const CaseFacts::Request& request) {
    record.entry(std::string_view{request.from}, std::string_view{request.to}, std::string_view{request.topic},
                 request.asked_at, request.due_at, request.outcome, request.answered_at);
  });
  record.each(facts.handoffs, [&](const CaseFacts::Handoff& handoff) {
    record.entry(std::string_view{handoff.from}, std::string_view{handoff.to}, handoff.at, handoff.ping_pong);
  });
  record.each(facts.feedback, [&](const CaseFacts::Feedback& feedback) {
    record.entry(std::string_view{feedback.about}, feedback.at, feedback.solved);
  });
  write_andons(record, facts.andons);
  return record.take();
}

std::optional<CaseFacts> decode_case_facts(std::string_view bytes) {
  return read_record(bytes, [](Fields& fields) {
    CaseFacts facts;
    for (auto& name : fields.texts()) facts.departments.insert(std::move(name));
    fields.each([&](Fields& request) {
      CaseFacts::Request read{request.text(), request.text(), request.text(), request.time(), request.time(), std::nullopt, {}};
      if (const auto outcome = request.optional_text()) read.outcome = outcome_named(*outcome);
      read.answered_at = request.time();
      facts.requests.push_back(std::move(read));
    });
    fields.each([&](Fields& handoff) {
      facts.handoffs.push_back({handoff.text(), handoff.text(), handoff.time(), handoff.boolean()});
    });
    fields.each([&](Fields& feedback) { facts.feedback.push_back({feedback.text(), feedback.time(), feedback.boolean()}); });
    facts.andons = read_andons(fields);
    return facts;
  });
}

std::string encode_totals(const PartitionTotals& totals) {
  RecordWriter record(5);
  record.value(totals.totals.events);
  record.value(totals.totals.duplicates);
  record.value(totals.totals.rejected);
  record.value(totals.totals.cases);
  record.value(totals.watermark);
  return record.take();
}

std::optional<PartitionTotals> decode_totals(std::string_view bytes) {
  return read_record(bytes, [](Fields& fields) {
    PartitionTotals totals;
    totals.totals.events = fields.count();
    totals.totals.duplicates = fields.count();
    totals.totals.rejected = fields.count();
    totals.totals.cases = fields.count();
    totals.watermark = fields.optional_time();
    return totals;
  });
}

}  // namespace relmap::aggregation
