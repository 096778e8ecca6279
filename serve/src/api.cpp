#include "relmap/serve/api.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>
#include <stdexcept>

#include <xxhash.h>

#include "relmap/common/json_writer.hpp"
#include "relmap/graph/department_report.hpp"
#include "relmap/graph/period_comparison.hpp"
#include "relmap/http/gzip.hpp"
#include "relmap/http/responses.hpp"
#include "relmap/render/map_exports.hpp"
#include "relmap/render/report_pages.hpp"
#include "cases.hpp"
#include "timeseries.hpp"
#include "query.hpp"
#include "target.hpp"

namespace relmap::serve {
namespace {

namespace bhttp = boost::beast::http;
using http::Request;
using http::Response;

/// Bodies smaller than this go out as they are: gzip would save less than its own cost.
constexpr int kDefaultReportDays = 28;

/// The window of equal length before `window`, refused when it would start before the year 0000.
graph::Window previous_of(const graph::Window& window) {
  graph::Window previous;
  try {
    previous = graph::previous_window(window);
  } catch (const std::invalid_argument&) {
    refuse(status::bad_request, "invalid_parameter", "the window before this one would start before the year 0000");
  }
  require_calendar(previous.from, previous.to);
  return previous;
}

/// A report's window from the chosen ends, a missing one filled in from the snapshot's data.
graph::Window report_window_of(const Snapshot& snapshot, const graph::Window& chosen, int days) {
  graph::Window window;
  try {
    window = graph::report_window(snapshot.watermark(), chosen.from, chosen.to, days);
  } catch (const std::invalid_argument& error) {
    refuse(status::not_found, "no_data", error.what());
  }
  require_calendar(window.from, window.to);
  if (*window.from > *window.to) {
    refuse(status::bad_request, "invalid_parameter", "the window's first day (" + *window.from + ") comes after its last (" + *window.to + ")");
  }
  return window;
}

/// The map as a department sees it: its own relationships in detail; every other department only by
/// its id, name and unit where it is a partner, and not at all where it is not.
graph::RelationshipMap folded_for(const graph::RelationshipMap& map, const std::string& department) {
  graph::RelationshipMap folded;
  folded.watermark = map.watermark;
  folded.window = map.window;
  folded.totals = map.totals;
  std::set<std::string> partners{department};
  for (const auto& edge : map.edges) {
    if (edge.from != department && edge.to != department) continue;
    folded.edges.push_back(edge);
    partners.insert(edge.from);
    partners.insert(edge.to);
  }
  for (const auto& pair : map.pairs) {
    if (pair.a == department || pair.b == department) folded.pairs.push_back(pair);
  }
  for (const auto& stats : map.departments) {
    if (partners.count(stats.id) == 0) continue;
    if (stats.id == department) {
      folded.departments.push_back(stats);
    } else {
      graph::DepartmentStats partner;
      partner.id = stats.id;
      partner.name = stats.name;
      partner.unit = stats.unit;
      folded.departments.push_back(std::move(partner));
    }
  }
  for (const auto& topic : map.topics) {
    if (topic.from == department || topic.to == department) folded.topics.push_back(topic);
  }
  return folded;
}

std::string findings_json(const graph::RelationshipMap& map, const graph::Findings& findings, std::uint64_t version) {
  JsonWriter json;
  json.start_object();
  json.field("version", version);
  json.field("watermark", map.watermark);
  json.objects("silos", findings.silos, [&](std::size_t index) {
    const auto& silo = map.silos[index];
    json.field("kind", graph::to_string(silo.kind));
    json.values("departments", silo.departments);
    json.field("external_share", silo.external_share);
  });
  json.objects("not_my_role_hotspots", findings.not_my_role_hotspots, [&](std::size_t index) {
    const auto& department = map.departments[index];
    json.field("department", department.id);
    json.field("name", department.name);
    json.field("not_my_role_rate", department.not_my_role_rate);
    json.field("dead_end_rate", department.dead_end_rate);
    json.field("requests_received", department.requests_received);
  });
  json.field("flagged_imbalances", static_cast<std::uint64_t>(findings.flagged_imbalances));
  json.objects("strongest_imbalances", findings.strongest_imbalances, [&](std::size_t index) {
    const auto& pair = map.pairs[index];
    const bool a_gives = pair.gives >= pair.gets;
    json.field("giver", a_gives ? pair.a : pair.b);
    json.field("receiver", a_gives ? pair.b : pair.a);
    json.field("given", std::max(pair.gives, pair.gets));
    json.field("returned", std::min(pair.gives, pair.gets));
    json.field("imbalance", pair.imbalance);
  });
  json.objects("ping_pong", findings.ping_pong, [&](std::size_t index) {
    const auto& edge = map.edges[index];
    json.field("from", edge.from);
    json.field("to", edge.to);
    json.field("ping_pong", edge.stats.ping_pong);
  });
  json.objects("brokers", findings.brokers, [&](std::size_t index) {
    const auto& department = map.departments[index];
    json.field("department", department.id);
    json.field("name", department.name);
    json.field("betweenness", department.betweenness);
    json.field("articulation_point", department.articulation_point);
  });
  json.objects("split_units", findings.split_units, [&](const graph::SplitUnit& split) {
    json.field("unit", map.units[split.unit].unit);
    json.key("parts");
    json.start_array();
    for (const auto& part : split.parts) {
      json.start_array();
      for (const auto& id : part) json.value(id);
      json.end_array();
    }
    json.end_array();
  });
  json.objects("communities_across_units", findings.communities_across_units, [&](std::size_t index) {
    const auto& community = map.communities[index];
    json.field("community", community.id);
    json.values("departments", community.departments);
    json.values("units", community.units);
  });
  json.end_object();
  return json.str();
}

/// The sortable figures of a department, by the names the API gives them.
using Figure = std::function<std::optional<double>(const graph::DepartmentStats&)>;
const std::map<std::string, Figure, std::less<>>& department_figures() {
  static const std::map<std::string, Figure, std::less<>> figures{
      {"requests_made", [](const auto& d) { return std::optional<double>(static_cast<double>(d.requests_made)); }},
      {"requests_received", [](const auto& d) { return std::optional<double>(static_cast<double>(d.requests_received)); }},
      {"gives", [](const auto& d) { return std::optional<double>(static_cast<double>(d.gives)); }},
      {"gets", [](const auto& d) { return std::optional<double>(static_cast<double>(d.gets)); }},
      {"give_ratio", [](const auto& d) { return d.give_ratio; }},
      {"not_my_role_rate", [](const auto& d) { return d.not_my_role_rate; }},
      {"dead_end_rate", [](const auto& d) { return d.dead_end_rate; }},
      {"handoffs_in", [](const auto& d) { return std::optional<double>(static_cast<double>(d.handoffs_in)); }},
      {"handoffs_out", [](const auto& d) { return std::optional<double>(static_cast<double>(d.handoffs_out)); }},
      {"andon", [](const auto& d) { return std::optional<double>(static_cast<double>(d.andon)); }},
      {"betweenness", [](const auto& d) { return std::optional<double>(d.betweenness); }},
  };
  return figures;
}

std::string departments_json(const graph::RelationshipMap& map, const Query& query, const Principal& principal) {
  std::vector<const graph::DepartmentStats*> listed;
  for (const auto& department : map.departments) {
    if (principal.sees(department.id)) listed.push_back(&department);
  }
  const auto sort = query.text("sort").value_or("id");
  const bool descending = query.choice("order", {"asc", "desc"}) == "desc";
  if (sort != "id") {
    const auto found = department_figures().find(sort);
    if (found == department_figures().end()) {
      refuse(status::bad_request, "invalid_parameter", "sort must be id or a figure of a department, not \"" + sort + "\"");
    }
    const auto& figure = found->second;
    // Departments without the figure (a rate of nothing) come last either way; ties keep id order.
    std::stable_sort(listed.begin(), listed.end(), [&](const auto* a, const auto* b) {
      const auto x = figure(*a);
      const auto y = figure(*b);
      if (!x || !y) return x.has_value() && !y.has_value();
      return descending ? *x > *y : *x < *y;
    });
  } else if (descending) {
    std::reverse(listed.begin(), listed.end());
  }
  const auto limit = static_cast<std::size_t>(query.positive("limit", 100000, 100000));
  JsonWriter json;
  json.start_object();
  json.field("watermark", map.watermark);
  json.field("total", static_cast<std::uint64_t>(listed.size()));
  json.key("departments");
  json.start_array();
  for (std::size_t i = 0; i < listed.size() && i < limit; ++i) {
    json.start_object();
    graph::write_department_members(json, *listed[i]);  // as the graph JSON writes each department
    json.end_object();
  }
  json.end_array();
  json.end_object();
  return json.str();
}

/// Whether If-None-Match names `etag` (in a list, weakly compared, as RFC 9110 says) or is "*".
bool holds(const Request& request, const std::string& etag) {
  auto listed = http::view_of(request[bhttp::field::if_none_match]);
  while (!listed.empty()) {
    const auto comma = listed.find(',');
    auto tag = listed.substr(0, comma);
    listed = comma == std::string_view::npos ? std::string_view{} : listed.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

using Bytes = std::shared_ptr<const std::string>;

/// A body for `request`, with the snapshot's ETag (304 when the client holds it) and gzip when the
/// client takes it. `compressed`, when given, is `body` already compressed. Both are sent as they
/// are kept, not copied: a 778 KB graph copied into every answer was most of its cost.
Response answer(const Request& request, const Bytes& body, std::string_view content_type, const std::string& etag,
                const Bytes& compressed = nullptr) {
  if (holds(request, etag)) {
    Response unchanged = http::make_response(request, status::not_modified, "", content_type);
    unchanged.erase(bhttp::field::content_type);
    unchanged.set(bhttp::field::etag, etag);
    return unchanged;
  }
  Response response = http::make_response(request, status::ok, "", content_type);
  if (http::accepts_gzip(request) && body->size() >= http::kGzipFrom) {
    response.body().share(compressed != nullptr ? compressed : std::make_shared<const std::string>(http::gzip(*body)));
    response.set(bhttp::field::content_encoding, "gzip");
  } else {
    response.body().share(body);
  }
  response.prepare_payload();
  response.set(bhttp::field::etag, etag);
  response.set(bhttp::field::cache_control, "no-cache");
  response.set(bhttp::field::vary, "Accept-Encoding, Authorization");
  return response;
}

Response answer(const Request& request, std::string body, std::string_view content_type, const std::string& etag) {
  return answer(request, std::make_shared<const std::string>(std::move(body)), content_type, etag);
}

/// `text` kept alive by `owner` (a snapshot, the web root), as the answer's bytes.
Bytes kept_by(const std::shared_ptr<const void>& owner, const std::string& text) { return Bytes(owner, &text); }

/// A page's file. The policy lets a page load only its own scripts, styles and workers, and no
/// other site frame it: injected markup can neither run nor send data elsewhere.
Response web_answer(const Request& request, const std::shared_ptr<const WebRoot>& root, const WebFile& file) {
  auto response = answer(request, kept_by(root, file.body), file.content_type, file.etag, file.gzip.empty() ? nullptr : kept_by(root, file.gzip));
  response.set(bhttp::field::vary, "Accept-Encoding");
  response.set("Content-Security-Policy",
               "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
               "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  return response;
}

/// Different for every snapshot, request target and role: a cached answer is reused only for the same.
std::string etag_of(const Snapshot& snapshot, const Request& request, const Principal& principal) {
  std::string key(http::view_of(request.target()));
  key += '\n';
  key += principal.department.value_or("*operations");
  char text[64];
  const auto written = std::snprintf(text, sizeof text, "\"%llu-%016llx\"", static_cast<unsigned long long>(snapshot.version()),
                                     static_cast<unsigned long long>(XXH3_64bits(key.data(), key.size())));
  return std::string(text, static_cast<std::size_t>(written));
}

const char* media_type_of(const std::string& format) {
  if (format == "json") return "application/json";
  if (format == "graphml") return "application/graphml+xml";
  if (format == "csv") return "text/csv; charset=utf-8";
  if (format == "dot") return "text/vnd.graphviz; charset=utf-8";
  if (format == "md") return "text/markdown; charset=utf-8";
  return "text/html; charset=utf-8";
}

}  // namespace

/// Requests and their latency by route, for /metrics (Prometheus' text format).
struct Api::Metrics {
  static constexpr std::array<double, 11> kBuckets{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5};
  struct Route {
    std::map<unsigned, std::uint64_t> by_status;
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double seconds = 0;
  };
  std::mutex mutex;
  std::map<std::string, Route> routes;

  void record(const std::string& route, unsigned code, double seconds) {
    const std::lock_guard lock(mutex);
    auto& entry = routes[route];
    ++entry.by_status[code];
    ++entry.count;
    entry.seconds += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      if (seconds <= kBuckets[i]) ++entry.buckets[i];
    }
  }

  std::string text(const Snapshot* snapshot, std::int64_t records_behind) {
    std::ostringstream out;
    out << "# HELP relmap_http_requests_total Requests answered, by route and status.\n"
        << "# TYPE relmap_http_requests_total counter\n";
    const std::lock_guard lock(mutex);
    for (const auto& [route, entry] : routes) {
      for (const auto& [code, count] : entry.by_status) {
        out << "relmap_http_requests_total{route=\"" << route << "\",code=\"" << code << "\"} " << count << '\n';
      }
    }
    out << "# HELP relmap_http_request_duration_seconds Time to answer a request, by route.\n"
        << "# TYPE relmap_http_request_duration_seconds histogram\n";
    for (const auto& [route, entry] : routes) {
      for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        out << "relmap_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} "
            << entry.buckets[i] << '\n';
      }
      out << "relmap_http_request_duration_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << entry.count << '\n'
          << "relmap_http_request_duration_seconds_sum{route=\"" << route << "\"} " << entry.seconds << '\n'
          << "relmap_http_request_duration_seconds_count{route=\"" << route << "\"} " << entry.count << '\n';
    }
    if (snapshot == nullptr) return out.str();
    const auto& map = snapshot->map();
    const double age = std::chrono::duration<double>(std::chrono::steady_clock::now() - snapshot->built_at()).count();
    out << "# HELP relmap_snapshot_version The version of the data answered from.\n# TYPE relmap_snapshot_version gauge\n"
        << "relmap_snapshot_version " << snapshot->version() << '\n'
        << "# HELP relmap_snapshot_age_seconds Time since that data was drawn.\n# TYPE relmap_snapshot_age_seconds gauge\n"
        << "relmap_snapshot_age_seconds " << age << '\n'
        << "# HELP relmap_snapshot_records_behind Records the topics hold beyond the snapshot.\n"
        << "# TYPE relmap_snapshot_records_behind gauge\n"
        << "relmap_snapshot_records_behind " << records_behind << '\n'
        << "# HELP relmap_graph_departments Departments in the map.\n# TYPE relmap_graph_departments gauge\n"
        << "relmap_graph_departments " << map.departments.size() << '\n'
        << "# HELP relmap_graph_relationships Directed relationships in the map.\n# TYPE relmap_graph_relationships gauge\n"
        << "relmap_graph_relationships " << map.edges.size() << '\n'
        << "# HELP relmap_events Events counted in the map.\n# TYPE relmap_events gauge\n"
        << "relmap_events " << map.totals.events << '\n'
        << "# HELP relmap_events_rejected Records rejected to the dead-letter topic.\n# TYPE relmap_events_rejected gauge\n"
        << "relmap_events_rejected " << map.totals.rejected << '\n';
    return out.str();
  }
};

/// Bodies drawn for the current snapshot, by ETag: a report, a window's map or a page of cases is
/// drawn once per snapshot however many ask. Emptied when a new snapshot is answered from, or when
/// it holds more than kMostBytes.
struct Api::AnswerCache {
  static constexpr std::size_t kMostBytes = 64u << 20;
  std::mutex mutex;
  std::uint64_t version = 0;
  std::size_t bytes = 0;
  std::unordered_map<std::string, std::shared_ptr<const std::string>> bodies;
};

Api::Api(ApiSettings settings)
    : settings_(std::move(settings)),
      access_(std::make_shared<const AccessList>(settings_.access)),
      metrics_(std::make_unique<Metrics>()),
      answers_(std::make_unique<AnswerCache>()),
      rate_limiter_(std::make_unique<http::RateLimiter>(settings_.requests_per_second_per_token, settings_.burst_per_token)) {}

void Api::replace_access(AccessList access) {
  if (access.size() == 0 && !settings_.allow_unauthenticated) {
    throw std::invalid_argument("no token in the new access list: the tokens in use are kept");
  }
  access_ = std::make_shared<const AccessList>(std::move(access));
}

std::shared_ptr<const std::string> Api::cached(const Snapshot& snapshot, const std::string& etag,
                                               const std::function<std::string()>& draw) const {
  {
    const std::lock_guard lock(answers_->mutex);
    if (answers_->version == snapshot.version()) {
      if (const auto found = answers_->bodies.find(etag); found != answers_->bodies.end()) return found->second;
    }
  }
  auto body = std::make_shared<const std::string>(draw());  // outside the lock: others answer meanwhile
  const std::lock_guard lock(answers_->mutex);
  if (answers_->version != snapshot.version() || answers_->bytes + body->size() > AnswerCache::kMostBytes) {
    // A request that began on an older snapshot keeps nothing: the cache is the latest one's.
    if (const auto latest = snapshot_.load(); !latest || latest->version() != snapshot.version()) return body;
    answers_->bodies.clear();
    answers_->bytes = 0;
    answers_->version = snapshot.version();
  }
  if (answers_->bodies.emplace(etag, body).second) answers_->bytes += body->size();
  return body;
}

Api::~Api() = default;

void Api::publish(std::shared_ptr<const Snapshot> snapshot) { snapshot_.store(std::move(snapshot)); }

Response Api::handle(const Request& request) const {
  const auto started = std::chrono::steady_clock::now();
  std::string route_name = "unknown";
  Response response;
  try {
    response = route(request, route_name);
  } catch (const Refusal& refusal) {
    response = http::error_response(request, refusal.http_status, refusal.code, refusal.what());
    if (refusal.http_status == status::unauthorized) response.set(bhttp::field::www_authenticate, "Bearer");
    if (refusal.http_status == status::method_not_allowed) response.set(bhttp::field::allow, "GET");
    if (refusal.retry_after) response.set(bhttp::field::retry_after, http::retry_after_seconds(*refusal.retry_after));
  }
  metrics_->record(route_name, response.result_int(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return response;
}

Response Api::route(const Request& request, std::string& route_name) const {
  const auto target = parse_target(http::view_of(request.target()));
  if (!target) refuse(status::bad_request, "bad_target", "the request target is not a valid path and query");
  // Every route is a GET of a resource: a body is a client's mistake, whatever its type.
  if (!request.body().empty()) refuse(status::unsupported_media_type, "unsupported_media_type", "the API takes no request body");
  const auto& segments = target->segments;
  const auto is = [&](std::initializer_list<std::string_view> path) {
    return segments.size() == path.size() && std::equal(path.begin(), path.end(), segments.begin());
  };
  const auto snapshot = snapshot_.load();
  // Every route is named for /metrics and answers GET only.
  const auto entering = [&](std::string name) {
    route_name = std::move(name);
    if (request.method() != bhttp::verb::get) refuse(status::method_not_allowed, "method_not_allowed", "only GET");
  };

  // Probes and metrics answer anyone: orchestrators and scrapers hold no token.
  if (is({"healthz"}) || is({"readyz"}) || is({"metrics"})) {
    entering(segments[0]);
    Query(target->query, {});
    if (route_name == "metrics") {
      return http::make_response(request, status::ok, metrics_->text(snapshot.get(), records_behind_.load()), "text/plain; version=0.0.4");
    }
    if (route_name == "readyz" && !snapshot) refuse(status::service_unavailable, "not_ready", "the first snapshot is not built yet");
    JsonWriter json;
    json.start_object();
    json.field("status", route_name == "readyz" ? "ready" : "ok");
    if (snapshot) json.field("version", snapshot->version());
    json.end_object();
    return http::make_response(request, status::ok, json.str(), "application/json");
  }

  if (segments.empty() || segments[0] != "api") {
    entering("web");
    if (settings_.web) {
      std::string path;
      for (const auto& segment : segments) path += "/" + segment;
      if (const auto* file = settings_.web->file(path.empty() ? "/" : path)) return web_answer(request, settings_.web, *file);
    }
    refuse(status::not_found, "not_found", settings_.web ? "no such page" : "the web pages are not installed (see --web-root)");
  }
  if (segments.size() < 2 || segments[1] != "v1") {
    refuse(status::not_found, "not_found", "no such resource; the API is under /api/v1");
  }
  if (is({"api", "v1", "openapi.json"})) {
    entering("openapi");
    Query(target->query, {});
    return answer(request, kept_by(nullptr, openapi_document()), "application/json", "\"openapi-" + std::string(RELMAP_VERSION) + "\"");
  }

  Principal principal;
  if (!settings_.allow_unauthenticated) {
    const auto authorization = request[bhttp::field::authorization];
    if (authorization.empty()) refuse(status::unauthorized, "unauthorized", "send Authorization: Bearer TOKEN");
    const auto known = access_.load()->authenticate(http::view_of(authorization));
    if (!known) refuse(status::unauthorized, "unauthorized", "the token is not known");
    principal = *known;
  }
  if (const auto wait = rate_limiter_->take(http::view_of(request[bhttp::field::authorization]))) {
    throw Refusal(status::too_many_requests, "rate_limited",
                  "this token's requests are over the rate limit: try again after Retry-After seconds", *wait);
  }
  const auto only_operations = [&] {
    if (!principal.sees_everything()) refuse(status::forbidden, "forbidden", "this needs the operations role");
  };

  const auto require_snapshot = [&]() -> const Snapshot& {
    if (!snapshot) refuse(status::service_unavailable, "not_ready", "the first snapshot is not built yet");
    return *snapshot;
  };

  if (is({"api", "v1", "graph"})) {
    entering("graph");
    const Query query(target->query, {"from", "to", "compare", "format"});
    auto window = query.window();
    const auto format = query.choice("format", {"json", "graphml", "csv", "dot"});
    const bool compare = query.flag("compare");
    if (compare && format != "json") refuse(status::bad_request, "invalid_parameter", "compare=true is JSON only");
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    if (holds(request, etag)) return answer(request, "", media_type_of(format), etag);
    if (compare && (!window.from || !window.to)) {
      // As a report's period: up to the latest event's day, four weeks long, unless said otherwise.
      window = report_window_of(data, window, kDefaultReportDays);
    }
    if (!compare && format == "json" && !window.from && !window.to && principal.sees_everything()) {
      return answer(request, kept_by(snapshot, data.graph_json()), "application/json", etag, kept_by(snapshot, data.graph_json_gzip()));
    }
    auto body = cached(data, etag, [&] {
      auto map = data.map_of(window);
      std::shared_ptr<const graph::RelationshipMap> previous;
      if (compare) previous = data.map_of(previous_of(window));
      if (!principal.sees_everything()) {
        map = std::make_shared<const graph::RelationshipMap>(folded_for(*map, *principal.department));
        if (previous) previous = std::make_shared<const graph::RelationshipMap>(folded_for(*previous, *principal.department));
      }
      if (compare) return graph::to_json_compared(*map, *previous);
      if (format == "json") return graph::to_json(*map);
      if (format == "graphml") return render::to_graphml(*map);
      if (format == "csv") return render::to_csv(*map);
      return render::to_dot(*map);
    });
    return answer(request, body, media_type_of(format), etag);
  }

  if (is({"api", "v1", "findings"})) {
    entering("findings");
    Query(target->query, {});
    only_operations();
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    return answer(request, cached(data, etag, [&] { return findings_json(data.map(), data.findings(), data.version()); }),
                  "application/json", etag);
  }

  if (is({"api", "v1", "departments"})) {
    entering("departments");
    const Query query(target->query, {"sort", "order", "limit"});
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    return answer(request, cached(data, etag, [&] { return departments_json(data.map(), query, principal); }),
                  "application/json", etag);
  }

  if (segments.size() == 5 && segments[2] == "departments" && segments[4] == "report") {
    entering("report");
    const auto& department = segments[3];
    const Query query(target->query, {"from", "to", "days", "format"});
    const auto format = query.choice("format", {"json", "csv", "md", "html"});
    const auto days = query.positive("days", kDefaultReportDays, 3660);
    const auto chosen = query.window();
    if (!principal.sees(department)) refuse(status::forbidden, "forbidden", "this token reads only its own department's report");
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    if (holds(request, etag)) return answer(request, "", media_type_of(format), etag);
    auto body = cached(data, etag, [&] {
      const auto window = report_window_of(data, chosen, days);
      const auto current = data.map_of(window);
      const auto previous = data.map_of(previous_of(window));
      graph::DepartmentReport report;
      try {
        report = graph::make_department_report(*current, *previous, department);
      } catch (const std::invalid_argument&) {
        refuse(status::not_found, "unknown_department", "no department \"" + department + "\" in this period or the one before");
      }
      return render::render_report(report, format);
    });
    return answer(request, body, media_type_of(format), etag);
  }

  if (segments.size() == 5 && segments[2] == "departments" && segments[4] == "timeseries") {
    entering("timeseries");
    const Query query(target->query, {"metric", "bucket", "from", "to", "partner"});
    const auto& department = segments[3];
    if (!principal.sees(department)) refuse(status::forbidden, "forbidden", "this token reads only its own department's figures");
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    auto body = cached(data, etag, [&] { return timeseries_json(data, department, query); });  // checks them before any 304
    return answer(request, body, "application/json", etag);
  }

  if (is({"api", "v1", "alerts"})) {
    entering("alerts");
    const Query query(target->query, {"kind", "limit"});
    const auto kind = query.choice("kind", {"any", "andon", "dead_end_rate"});
    const auto limit = static_cast<std::size_t>(query.positive("limit", 100, 10000));
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    if (holds(request, etag)) return answer(request, "", "application/json", etag);
    std::string body = "{\"alerts\":[";
    std::size_t listed = 0;
    for (const auto& alert : data.alerts()) {
      if (listed == limit) break;
      if (kind != "any" && alert.kind != kind) continue;
      if (!principal.sees_everything() &&
          std::find(alert.departments.begin(), alert.departments.end(), *principal.department) == alert.departments.end()) {
        continue;
      }
      if (listed++ > 0) body += ',';
      body += alert.json;  // written by JsonWriter: valid JSON objects
    }
    body += "]}";
    return answer(request, body, "application/json", etag);
  }

  if (is({"api", "v1", "cases"})) {
    entering("cases");
    const auto query = case_query_of(Query(target->query, {"department", "state", "limit", "cursor"}));
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    if (holds(request, etag)) return answer(request, "", "application/json", etag);
    return answer(request, cached(data, etag, [&] { return cases_json(data, query, principal); }), "application/json", etag);
  }

  if (segments.size() == 4 && segments[2] == "cases") {
    entering("case");
    Query(target->query, {});
    const Snapshot& data = require_snapshot();
    const auto etag = etag_of(data, request, principal);
    if (holds(request, etag)) return answer(request, "", "application/json", etag);
    return answer(request, cached(data, etag, [&] { return case_json(data, segments[3], principal); }), "application/json", etag);
  }

  refuse(status::not_found, "not_found", "no such resource under /api/v1");
}

}  // namespace relmap::serve
