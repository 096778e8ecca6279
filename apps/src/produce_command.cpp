// relmap produce: validate records and publish them, valid ones to the events topic, invalid ones to
// the dead-letter topic. Exit 0 only when every message was acknowledged by the broker.
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "input_options.hpp"
#include "time_bounds_options.hpp"
#include "kafka_options.hpp"
#include "progress.hpp"
#include "relmap/common/logging.hpp"
#include "relmap/producer/pipelined_publish.hpp"
#include "relmap/producer/publisher.hpp"

namespace relmap::app {
namespace {

struct ProduceOptions {
  KafkaOptions kafka;
  InputOptions input;
  std::string rejects_path;
  bool dry_run = false;
  TimeBoundsOptions time_bounds;

  producer::PublishSettings publish_settings() const {
    auto settings = kafka.publish_settings();
    settings.time_bounds = time_bounds.bounds();
    return settings;
  }
};

/// The rejects file: one line per invalid record, "line<TAB>code<TAB>reason<TAB>original bytes".
class RejectsFile {
 public:
  RejectsFile(const std::string& path, producer::PublishSettings settings) : settings_(std::move(settings)) {
    if (path.empty()) return;
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) throw std::runtime_error("cannot write rejects file " + path);
  }
  /// The record as the dead-letter topic keeps it: no person in clear.
  void add(std::uint64_t line, const schemas::DecodeError& error, std::string_view record) {
    if (!out_.is_open()) return;
    const auto kept = producer::rejected_record_value(record, settings_);
    out_ << line << '\t' << schemas::to_string(error.code) << '\t' << error.to_string() << '\t'
         << kept.value_or("(withheld: names an actor but is not JSON that could be pseudonymised)") << '\n';
  }

 private:
  producer::PublishSettings settings_;
  std::ofstream out_;
};

void run_produce(const ProduceOptions& options) {
  auto log = relmap::logger("produce");
  if (!options.dry_run) {
    // Before anything else is said or done: a missing topic is the one thing to hear then.
    if (options.kafka.brokers.empty()) throw std::runtime_error("--brokers (or RELMAP_KAFKA_BROKERS) is required");
    options.kafka.expect_publish_topics("relmap produce");
  }
  const auto publish_settings = options.publish_settings();
  RejectsFile rejects(options.rejects_path, publish_settings);

  if (options.dry_run) {
    const schemas::Decoder decoder{publish_settings.time_bounds};
    std::uint64_t valid = 0;
    std::uint64_t rejected = 0;
    options.input.for_each_record([&](std::string_view record, std::uint64_t line) {
      const auto decoded = decoder.decode(record);
      if (decoded.has_value()) {
        ++valid;
        return;
      }
      ++rejected;
      log->warn("{}:{}: {}", options.input.path, line, decoded.error().to_string());
      rejects.add(line, decoded.error(), record);
    });
    std::cerr << "dry run: " << valid << " valid, " << rejected << " rejected\n";
    // A dry run gates what comes after it (a CI job, an import): invalid records must fail it.
    if (rejected > 0) throw CommandFailed{kExitInvalidRecords};
    return;
  }

  producer::EventPublisher publisher(options.kafka.config(), options.kafka.topics, publish_settings);
  ProgressLine progress;
  producer::publish_pipelined(
      publisher, [&](const producer::RecordHandler& on_record) { options.input.for_each_record(on_record); },
      options.input.path,
      [&](std::uint64_t line, const schemas::DecodeError& error, std::string_view record) {
        log->warn("{}:{}: {} (sent to {})", options.input.path, line, error.to_string(), options.kafka.topics.dead_letter);
        rejects.add(line, error, record);
      },
      [&] {
        const auto counts = publisher.counts();
        progress.update(counts.sent + counts.rejected, counts.rejected);
      });
  progress.finish();
  const bool all_acknowledged = publisher.flush(std::chrono::minutes{5});
  const auto counts = publisher.counts();
  std::cerr << "produced " << counts.sent << " event(s) to " << options.kafka.topics.events << ", " << counts.rejected
            << " rejected to " << options.kafka.topics.dead_letter << ", " << counts.acknowledged << " acknowledged, "
            << counts.failed << " failed\n";
  if (!all_acknowledged || counts.acknowledged != counts.sent + counts.rejected) {
    std::cerr << "relmap produce: not every record was acknowledged by the broker\n";
    throw CommandFailed{kExitNotStored};
  }
}

}  // namespace

void add_produce_command(CLI::App& app) {
  auto options = std::make_shared<ProduceOptions>();
  auto* command = app.add_subcommand("produce", "Validate events and publish them to Kafka (invalid ones to the DLQ)");
  options->kafka.add_to(*command, false);
  command->add_option("input", options->input.path, "input file (.jsonl, .csv, .xes, .xes.gz), or - for stdin")->required();
  options->input.add_to(*command);
  options->time_bounds.add_to(*command);
  command->add_option("--rejects", options->rejects_path, "also write invalid records here (line, code, reason, bytes)");
  command->add_flag("--dry-run", options->dry_run, "validate only; no broker needed");
  command->callback([options] { run_produce(*options); });
}

}  // namespace relmap::app
