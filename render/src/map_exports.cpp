#include "relmap/render/map_exports.hpp"

#include <cmath>
#include <sstream>

#include <boost/algorithm/string/replace.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <boost/property_map/transform_value_property_map.hpp>
#include <boost/property_tree/detail/xml_parser_utils.hpp>

#include "relmap/common/csv.hpp"
#include "relmap/graph/relationship_graph.hpp"

namespace relmap::render {

using graph::DepartmentStats;
using graph::Edge;
using graph::RelationshipGraph;
using graph::RelationshipMap;

namespace {

using Department = RelationshipGraph::DepartmentProperties;
using Relationship = RelationshipGraph::RelationshipProperties;

/// Colours for communities, readable on white (Okabe-Ito).
constexpr const char* kPalette[] = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"};

/// A read-only property map of each department's `value(stats)`, for Boost's writers.
template <typename Value>
auto department_map(const RelationshipGraph& graph, const Value& value) {
  return boost::make_transform_value_property_map(
      [value](const Department& department) { return value(*department.department); },
      boost::get(boost::vertex_bundle, graph.graph()));
}

template <typename Value>
auto relationship_map(const RelationshipGraph& graph, const Value& value) {
  return boost::make_transform_value_property_map([value](const Relationship& relationship) { return value(*relationship.edge); },
                                                  boost::get(boost::edge_bundle, graph.graph()));
}

std::uint64_t weight_of(const Edge& edge) { return edge.stats.requests + edge.stats.handoffs; }

/// The statistics both GraphML and DOT carry. `id_text` and `label_text` turn an id, and a name or
/// unit, into what the format can hold.
template <typename IdText, typename LabelText>
boost::dynamic_properties statistics(const RelationshipGraph& graph, const IdText& id_text, const LabelText& label_text) {
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("label", department_map(graph, [label_text](const DepartmentStats& d) { return label_text(d.name); }));
  properties.property("department", department_map(graph, [id_text](const DepartmentStats& d) { return id_text(d.id); }));
  properties.property("unit", department_map(graph, [label_text](const DepartmentStats& d) { return label_text(d.unit); }));
  properties.property("community", department_map(graph, [](const DepartmentStats& d) { return d.community.value_or(-1); }));
  properties.property("betweenness", department_map(graph, [](const DepartmentStats& d) { return d.betweenness; }));
  properties.property("requests_made", department_map(graph, [](const DepartmentStats& d) { return d.requests_made; }));
  properties.property("requests_received", department_map(graph, [](const DepartmentStats& d) { return d.requests_received; }));
  properties.property("gives", department_map(graph, [](const DepartmentStats& d) { return d.gives; }));
  properties.property("gets", department_map(graph, [](const DepartmentStats& d) { return d.gets; }));
  properties.property("handoffs_in", department_map(graph, [](const DepartmentStats& d) { return d.handoffs_in; }));
  properties.property("handoffs_out", department_map(graph, [](const DepartmentStats& d) { return d.handoffs_out; }));
  // 0 where undefined (no request received): GraphML and DOT have no null.
  properties.property("not_my_role_rate", department_map(graph, [](const DepartmentStats& d) { return d.not_my_role_rate.value_or(0); }));
  properties.property("articulation_point", department_map(graph, [](const DepartmentStats& d) { return d.articulation_point; }));
  properties.property("weight", relationship_map(graph, weight_of));
  properties.property("requests", relationship_map(graph, [](const Edge& e) { return e.stats.requests; }));
  properties.property("resolved", relationship_map(graph, [](const Edge& e) { return e.stats.resolved; }));
  properties.property("declined", relationship_map(graph, [](const Edge& e) { return e.stats.declined; }));
  properties.property("dead_ends", relationship_map(graph, [](const Edge& e) { return e.stats.dead_ends(); }));
  properties.property("handoffs", relationship_map(graph, [](const Edge& e) { return e.stats.handoffs; }));
  properties.property("ping_pong", relationship_map(graph, [](const Edge& e) { return e.stats.ping_pong; }));
  properties.property("andon", relationship_map(graph, [](const Edge& e) { return e.stats.andon; }));
  properties.property("bridge", relationship_map(graph, [](const Edge& e) { return e.bridge; }));
  return properties;
}

/// Boost quotes DOT strings and escapes their quotes, not their backslashes: a department id ending in
/// one escaped its closing quote and broke the whole file. Doubled, a backslash is one in a label; an
/// id keeps both, which is the one way DOT can hold it.
std::string dot_id(const std::string& text) { return boost::algorithm::replace_all_copy(text, "\\", "\\\\"); }
/// Graphviz also reads entities ("&amp;") in labels: a name's own '&' must stay one.
std::string dot_label(const std::string& text) { return boost::algorithm::replace_all_copy(dot_id(text), "&", "&amp;"); }

}  // namespace

std::string to_graphml(const RelationshipMap& map) {
  const RelationshipGraph graph(map);
  const auto as_it_is = [](const std::string& text) { return text; };
  const auto properties = statistics(graph, as_it_is, as_it_is);
  std::ostringstream out;
  // Boost writes a node's id into an XML attribute as it is.
  const auto xml_id = department_map(
      graph, [](const DepartmentStats& d) { return boost::property_tree::xml_parser::encode_char_entities(d.id); });
  boost::write_graphml(out, graph.graph(), xml_id, properties, true);
  return out.str();
}

std::string to_dot(const RelationshipMap& map) {
  const RelationshipGraph graph(map);
  auto properties = statistics(graph, dot_id, dot_label);
  properties.property("node_id", department_map(graph, [](const DepartmentStats& d) { return dot_id(d.id); }));
  properties.property("fillcolor", department_map(graph, [](const DepartmentStats& d) -> std::string {
    return d.community ? kPalette[static_cast<std::size_t>(*d.community) % std::size(kPalette)] : "#CCCCCC";
  }));
  properties.property("peripheries", department_map(graph, [](const DepartmentStats& d) -> std::string {
    return d.articulation_point ? "2" : "1";
  }));
  properties.property("penwidth", relationship_map(graph, [](const Edge& e) {
    std::ostringstream width;
    width << 1 + std::log10(1.0 + static_cast<double>(weight_of(e)));
    return width.str();
  }));
  properties.property("color", relationship_map(graph, [](const Edge& e) -> std::string { return e.bridge ? "#D00000" : "#555555"; }));
  std::ostringstream out;
  boost::write_graphviz_dp(out, graph.graph(), properties, "node_id");
  // Drawing defaults that write_graphviz_dp has no place for: filled nodes and a force-directed
  // layout (a relationship map has no direction of flow; `dot`'s ranks stretch it into a tall tree).
  // Curved edges around nodes make neato take minutes beyond a hundred departments: larger maps get
  // sfdp, Graphviz's layout for large graphs, with straight edges.
  const bool large = map.departments.size() > 100;
  const std::string defaults = std::string(large ? "\nlayout=sfdp;\nsplines=false;" : "\nlayout=neato;\nsplines=true;") +
                               "\noverlap=false;\nsep=\"+12\";\nnode [style=filled, shape=box, fontname=\"Helvetica\"];\n";
  std::string dot = out.str();
  const auto brace = dot.find('{');
  if (brace != std::string::npos) dot.insert(brace + 1, defaults);
  return dot;
}

std::string to_csv(const RelationshipMap& map) {
  std::ostringstream out;
  out << "from,to,requests,resolved,declined,redirected,open,expired,dead_ends,response_time_p50_s,"
         "response_time_p90_s,handoffs,ping_pong,andon,bridge\r\n";
  const auto optional = [](const std::optional<double>& value) {
    std::ostringstream text;
    if (value) text << *value;
    return text.str();
  };
  for (const auto& edge : map.edges) {
    const auto& stats = edge.stats;
    out << csv_quote(edge.from) << ',' << csv_quote(edge.to) << ',' << stats.requests << ',' << stats.resolved << ','
        << stats.declined << ',' << stats.redirected << ',' << stats.open << ',' << stats.expired << ','
        << stats.dead_ends() << ',' << optional(edge.response_time_p50_s) << ',' << optional(edge.response_time_p90_s)
        << ',' << stats.handoffs << ',' << stats.ping_pong << ',' << stats.andon << ',' << (edge.bridge ? "true" : "false")
        << "\r\n";
  }
  return out.str();
}

}  // namespace relmap::render
