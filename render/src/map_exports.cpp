#include "relmap/render/map_exports.hpp"

#include <cmath>
#include <map>
#include <sstream>

#include <boost/algorithm/string/replace.hpp>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <boost/property_tree/detail/xml_parser_utils.hpp>
#include <boost/range/iterator_range.hpp>

#include "relmap/common/csv.hpp"

namespace relmap::render {

using graph::RelationshipMap;
namespace {

struct Node {
  std::string id;
  std::string name;
  std::string unit;
  int community = -1;
  double betweenness = 0;
  std::uint64_t requests_made = 0;
  std::uint64_t requests_received = 0;
  std::uint64_t gives = 0;
  std::uint64_t gets = 0;
  std::uint64_t handoffs_in = 0;
  std::uint64_t handoffs_out = 0;
  double not_my_role_rate = 0;  ///< 0 where undefined (no request received)
  bool articulation_point = false;
  // GraphML only: the id in an XML attribute, which Boost writes as it is
  std::string xml_id;
  // DOT only
  std::string fill;
  std::string peripheries;
};

struct Link {
  std::uint64_t weight = 0;
  std::uint64_t requests = 0;
  std::uint64_t resolved = 0;
  std::uint64_t declined = 0;
  std::uint64_t dead_ends = 0;
  std::uint64_t handoffs = 0;
  std::uint64_t ping_pong = 0;
  std::uint64_t andon = 0;
  bool bridge = false;
  // DOT only
  std::string penwidth;
  std::string color;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Link>;

/// Colours for communities, readable on white (Okabe-Ito).
constexpr const char* kPalette[] = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"};

Graph build(const RelationshipMap& map) {
  Graph graph;
  std::map<std::string, Graph::vertex_descriptor> index;
  for (const auto& department : map.departments) {
    Node node;
    node.id = department.id;
    node.name = department.name;
    node.unit = department.unit;
    node.community = department.community.value_or(-1);
    node.betweenness = department.betweenness;
    node.requests_made = department.requests_made;
    node.requests_received = department.requests_received;
    node.gives = department.gives;
    node.gets = department.gets;
    node.handoffs_in = department.handoffs_in;
    node.handoffs_out = department.handoffs_out;
    node.not_my_role_rate = department.not_my_role_rate.value_or(0);
    node.articulation_point = department.articulation_point;
    node.fill = node.community >= 0 ? kPalette[static_cast<std::size_t>(node.community) % std::size(kPalette)] : "#CCCCCC";
    node.peripheries = department.articulation_point ? "2" : "1";
    node.xml_id = boost::property_tree::xml_parser::encode_char_entities(department.id);
    index[department.id] = boost::add_vertex(node, graph);
  }
  for (const auto& edge : map.edges) {
    Link link;
    link.requests = edge.stats.requests;
    link.resolved = edge.stats.resolved;
    link.declined = edge.stats.declined;
    link.dead_ends = edge.stats.dead_ends();
    link.handoffs = edge.stats.handoffs;
    link.ping_pong = edge.stats.ping_pong;
    link.andon = edge.stats.andon;
    link.weight = edge.stats.requests + edge.stats.handoffs;
    link.bridge = edge.bridge;
    std::ostringstream width;
    width << 1 + std::log10(1.0 + static_cast<double>(link.weight));
    link.penwidth = width.str();
    link.color = link.bridge ? "#D00000" : "#555555";
    boost::add_edge(index.at(edge.from), index.at(edge.to), link, graph);
  }
  return graph;
}

/// The statistics both GraphML and DOT carry.
boost::dynamic_properties statistics(Graph& graph) {
  boost::dynamic_properties properties(boost::ignore_other_properties);
  properties.property("label", boost::get(&Node::name, graph));
  properties.property("department", boost::get(&Node::id, graph));
  properties.property("unit", boost::get(&Node::unit, graph));
  properties.property("community", boost::get(&Node::community, graph));
  properties.property("betweenness", boost::get(&Node::betweenness, graph));
  properties.property("requests_made", boost::get(&Node::requests_made, graph));
  properties.property("requests_received", boost::get(&Node::requests_received, graph));
  properties.property("gives", boost::get(&Node::gives, graph));
  properties.property("gets", boost::get(&Node::gets, graph));
  properties.property("handoffs_in", boost::get(&Node::handoffs_in, graph));
  properties.property("handoffs_out", boost::get(&Node::handoffs_out, graph));
  properties.property("not_my_role_rate", boost::get(&Node::not_my_role_rate, graph));
  properties.property("articulation_point", boost::get(&Node::articulation_point, graph));
  properties.property("weight", boost::get(&Link::weight, graph));
  properties.property("requests", boost::get(&Link::requests, graph));
  properties.property("resolved", boost::get(&Link::resolved, graph));
  properties.property("declined", boost::get(&Link::declined, graph));
  properties.property("dead_ends", boost::get(&Link::dead_ends, graph));
  properties.property("handoffs", boost::get(&Link::handoffs, graph));
  properties.property("ping_pong", boost::get(&Link::ping_pong, graph));
  properties.property("andon", boost::get(&Link::andon, graph));
  properties.property("bridge", boost::get(&Link::bridge, graph));
  return properties;
}

}  // namespace

std::string to_graphml(const RelationshipMap& map) {
  Graph graph = build(map);
  auto properties = statistics(graph);
  std::ostringstream out;
  boost::write_graphml(out, graph, boost::get(&Node::xml_id, graph), properties, true);
  return out.str();
}

std::string to_dot(const RelationshipMap& map) {
  Graph graph = build(map);
  // Boost quotes DOT strings and escapes their quotes, not their backslashes: a department id ending
  // in one escaped its closing quote and broke the whole file. Doubled, a backslash is one in a
  // label; an id keeps both, which is the one way DOT can hold it. Graphviz also reads entities
  // ("&amp;") in labels: a name's own '&' must stay one.
  for (const auto vertex : boost::make_iterator_range(boost::vertices(graph))) {
    for (std::string* text : {&graph[vertex].id, &graph[vertex].name, &graph[vertex].unit}) {
      boost::algorithm::replace_all(*text, "\\", "\\\\");
    }
    for (std::string* label : {&graph[vertex].name, &graph[vertex].unit}) boost::algorithm::replace_all(*label, "&", "&amp;");
  }
  auto properties = statistics(graph);
  properties.property("node_id", boost::get(&Node::id, graph));
  properties.property("fillcolor", boost::get(&Node::fill, graph));
  properties.property("peripheries", boost::get(&Node::peripheries, graph));
  properties.property("penwidth", boost::get(&Link::penwidth, graph));
  properties.property("color", boost::get(&Link::color, graph));
  std::ostringstream out;
  boost::write_graphviz_dp(out, graph, properties, "node_id");
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
