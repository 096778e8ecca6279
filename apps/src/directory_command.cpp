// relmap directory: the department directory in its compacted topic (relmap.departments).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "kafka_options.hpp"
#include "relmap/common/csv.hpp"
#include "relmap/consumer/directory_topic.hpp"

namespace relmap::app {
namespace {

struct DirectoryOptions {
  KafkaOptions kafka;
  std::string file;
};

void print_directory_csv(const graph::Directory& directory) {
  std::cout << "id,name,unit,customer_facing\n";
  for (const auto& [id, entry] : directory.entries) {
    std::cout << csv_quote(id) << ',' << csv_quote(entry.name) << ',' << csv_quote(entry.unit) << ','
              << (entry.customer_facing ? (*entry.customer_facing ? "true" : "false") : "") << '\n';
  }
}

}  // namespace

void add_directory_command(CLI::App& app) {
  auto options = std::make_shared<DirectoryOptions>();
  auto* directory = app.add_subcommand("directory", "The department directory (names, formal units) in its Kafka topic");
  directory->require_subcommand(1);

  auto* publish = directory->add_subcommand("publish", "Write a directory CSV (id,name,unit,customer_facing) to the departments topic");
  publish->add_option("file", options->file, "directory CSV")->required()->check(CLI::ExistingFile);
  options->kafka.add_to(*publish, true);
  publish->callback([options] {
    const auto entries = graph::read_directory_csv(options->file);
    consumer::publish_directory(options->kafka.config(), options->kafka.departments_topic, entries);
    std::cout << "Published " << entries.entries.size() << " department(s) to " << options->kafka.departments_topic << "\n";
  });

  // Options of its own: CLI11 reads the environment (RELMAP_KAFKA_BROKERS) for every subcommand, run
  // or not, so options shared with `publish` would take the environment's value over the command line's.
  auto show_options = std::make_shared<DirectoryOptions>();
  auto* show = directory->add_subcommand("show", "Print the directory held in the departments topic, as CSV");
  show_options->kafka.add_to(*show, true);
  show->callback([show_options] {
    print_directory_csv(consumer::read_directory(show_options->kafka.config(), show_options->kafka.departments_topic));
  });
}

}  // namespace relmap::app
