#include "map_output.hpp"

#include <cstdio>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "relmap/graph/export.hpp"

namespace relmap::app {
namespace {

/// Lays the DOT out with Graphviz (`dot`, Debian's graphviz package).
std::string svg_of(const std::string& dot) {
  const auto input = std::filesystem::temp_directory_path() / ("relmap-map-" + std::to_string(::getpid()) + ".dot");
  std::ofstream(input) << dot;
  FILE* pipe = ::popen(("dot -Tsvg " + input.string() + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run Graphviz dot");
  std::string svg;
  char buffer[8192];
  while (const auto size = std::fread(buffer, 1, sizeof buffer, pipe)) svg.append(buffer, size);
  const int status = ::pclose(pipe);
  std::filesystem::remove(input);
  if (status != 0) throw std::runtime_error("Graphviz dot failed (is the graphviz package installed?): " + svg);
  return svg;
}

}  // namespace

std::string render_map(const graph::RelationshipMap& map, const std::string& format) {
  if (format == "json") return graph::to_json(map) + "\n";
  if (format == "dot") return graph::to_dot(map);
  if (format == "svg") return svg_of(graph::to_dot(map));
  if (format == "graphml") return graph::to_graphml(map);
  if (format == "csv") return graph::to_csv(map);
  throw std::invalid_argument("unknown map format " + format);
}

}  // namespace relmap::app
