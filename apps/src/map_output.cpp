#include "map_output.hpp"

#include <array>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <spawn.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "relmap/render/map_exports.hpp"

namespace relmap::app {
namespace {

/// Lays the DOT out with Graphviz (`dot`, Debian's graphviz package), run without a shell: nothing
/// of the map or the environment (TMPDIR) becomes a command line.
std::string svg_of(const std::string& dot) {
  std::string input = (std::filesystem::temp_directory_path() / "relmap-map-XXXXXX.dot").string();
  const int input_file = ::mkstemps(input.data(), 4);
  if (input_file < 0) throw std::system_error(errno, std::generic_category(), "creating a file for Graphviz");
  const auto remove_input = std::unique_ptr<std::string, void (*)(std::string*)>(
      &input, [](std::string* path) { std::filesystem::remove(*path); });
  const bool written = ::write(input_file, dot.data(), dot.size()) == static_cast<ssize_t>(dot.size());
  ::close(input_file);
  if (!written) throw std::runtime_error("cannot write the map for Graphviz to " + input);

  int output[2];
  if (::pipe(output) != 0) throw std::system_error(errno, std::generic_category(), "a pipe for Graphviz");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, output[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, output[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, output[0]);
  std::array<char*, 4> argv{const_cast<char*>("dot"), const_cast<char*>("-Tsvg"), input.data(), nullptr};
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, "dot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(output[1]);
  std::string svg;
  if (spawned == 0) {
    char buffer[8192];
    for (ssize_t size; (size = ::read(output[0], buffer, sizeof buffer)) != 0;) {
      if (size > 0) {
        svg.append(buffer, static_cast<std::size_t>(size));
      } else if (errno != EINTR) {
        break;
      }
    }
  }
  ::close(output[0]);
  if (spawned != 0) throw std::runtime_error("cannot run Graphviz dot (is the graphviz package installed?)");
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("Graphviz dot failed: " + svg);
  return svg;
}

}  // namespace

std::string render_map(const graph::RelationshipMap& map, const std::string& format) {
  if (format == "json") return graph::to_json(map) + "\n";
  if (format == "dot") return render::to_dot(map);
  if (format == "svg") return svg_of(render::to_dot(map));
  if (format == "graphml") return render::to_graphml(map);
  if (format == "csv") return render::to_csv(map);
  throw std::invalid_argument("unknown map format " + format);
}

}  // namespace relmap::app
