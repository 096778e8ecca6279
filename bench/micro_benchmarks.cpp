// Google Benchmark micro-benchmarks: decode + validate per event type, one aggregation step, an apply
// thread's work per event on a stream of many cases, and
// the analytics of a 5,000-department, 200,000-relationship map (all of them, then each on its own)
// beside igraph's own Louvain on the same graph (the reference). bench/micro turns the figures into the targets' lines.
#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <igraph/igraph.h>
#include <jemalloc/jemalloc.h>

#include "relmap/aggregation/aggregator.hpp"
#include "relmap/aggregation/state_codec.hpp"
#include "relmap/graph/analytics.hpp"
#include "relmap/graph/random_organisation.hpp"
#include "relmap/graph/relationship_map.hpp"
#include "relmap/producer/synthetic_org.hpp"
#include "relmap/schemas/decoder.hpp"

namespace relmap {
namespace {

// Typical records as integrations send them (a ticketing system's ids and names).
const std::map<std::string, std::string> kRecords = {
    {"request", R"({"event_id":"jira-88412-3","type":"request","v":1,"occurred_at":"2026-03-02T09:15:00+01:00","case_id":"INC-88412","source":"jira","actor":"a9f3c2","attrs":{"channel":"portal"},"from":"Customer Care","to":"Billing","request_id":"REQ-5521","topic":"refund","due_at":"2026-03-04T17:00:00Z"})"},
    {"response", R"({"event_id":"jira-88412-4","type":"response","v":1,"occurred_at":"2026-03-02T13:40:12Z","case_id":"INC-88412","source":"jira","from":"Billing","to":"Customer Care","request_id":"REQ-5521","outcome":"redirected","redirect_to":"Finance","reason":"credit notes are Finance's"})"},
    {"handoff", R"({"event_id":"jira-88412-5","type":"handoff","v":1,"occurred_at":"2026-03-02T14:02:00Z","case_id":"INC-88412","source":"jira","from":"Customer Care","to":"Finance","reason":"credit note"})"},
    {"feedback", R"({"event_id":"crm-2291-1","type":"feedback","v":1,"occurred_at":"2026-03-05T08:00:00Z","case_id":"INC-88412","source":"crm","solved":true,"about":"Finance"})"},
    {"andon", R"({"event_id":"mes-77-1","type":"andon","v":1,"occurred_at":"2026-03-05T08:30:00Z","source":"mes","from":"Production","about":"Procurement","severity":"high","reason":"parts missing on line 3"})"},
    {"cloudevent", R"({"specversion":"1.0","id":"ce-1001","source":"servicenow","type":"org.relmap.handoff.v1","time":"2026-03-02T14:02:00Z","datacontenttype":"application/json","data":{"case_id":"INC-88412","from":"Service Desk","to":"Network"}})"},
};

/// Runs `judge(decoder, record)` on the example record of `type`, which must be accepted.
template <typename Judge>
void judge_record(benchmark::State& state, const std::string& type, schemas::Decoder::SchemaCheck check,
                  const Judge& judge) {
  const schemas::Decoder decoder(check);
  const std::string& record = kRecords.at(type);
  for (auto _ : state) {
    auto verdict = judge(decoder, record);
    benchmark::DoNotOptimize(verdict);
    if (!verdict.has_value()) state.SkipWithError(verdict.error().to_string().c_str());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(record.size()));
}

/// As relmap aggregate's apply threads and map --events decode: into one Event, refilled for each record.
void decode_validate(benchmark::State& state, const std::string& type, schemas::Decoder::SchemaCheck check) {
  schemas::Event event;
  judge_record(state, type, check, [&](const schemas::Decoder& decoder, const std::string& record) {
    const auto invalid = decoder.decode_into(record, event);
    return invalid ? Result<bool, schemas::DecodeError>(*invalid) : Result<bool, schemas::DecodeError>(true);
  });
}

/// decode(), which returns a new Event for each record (relmap produce, the HTTP ingest).
void decode_new_event(benchmark::State& state, const std::string& type) {
  judge_record(state, type, schemas::Decoder::SchemaCheck::compiled,
               [](const schemas::Decoder& decoder, const std::string& record) { return decoder.decode(record); });
}

/// What `relmap produce` does with a record: the same verdict, without building the Event.
void check_only(benchmark::State& state, const std::string& type) {
  judge_record(state, type, schemas::Decoder::SchemaCheck::compiled,
               [](const schemas::Decoder& decoder, const std::string& record) { return decoder.check(record); });
}

/// The events of a generated organisation, decoded once.
const std::vector<schemas::Event>& generated_events() {
  static const std::vector<schemas::Event> events = [] {
    const schemas::Decoder decoder;
    std::vector<schemas::Event> decoded;
    producer::generate_organisation({.seed = 3, .cases = 20000}, [&](std::string_view record) {
      if (auto event = decoder.decode(record); event.has_value()) decoded.push_back(std::move(event).value());
    });
    return decoded;
  }();
  return events;
}

void BM_AggregationStep(benchmark::State& state) {
  const auto& events = generated_events();
  auto aggregator = std::make_unique<aggregation::Aggregator>();
  std::vector<aggregation::LateRejection> late;
  std::size_t next = 0;
  for (auto _ : state) {
    if (next == events.size()) {
      state.PauseTiming();
      aggregator = std::make_unique<aggregation::Aggregator>();
      next = 0;
      state.ResumeTiming();
    }
    benchmark::DoNotOptimize(aggregator->apply(events[next++], late));
    late.clear();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AggregationStep);

/// What the streaming aggregator writes for each case a transaction changed: its state to the
/// changelog (its facts are written only when it leaves memory).
void BM_EncodeChangedCase(benchmark::State& state) {
  aggregation::Aggregator aggregator;
  std::vector<aggregation::LateRejection> late;
  for (const auto& event : generated_events()) aggregator.apply(event, late);
  std::vector<const aggregation::CaseState*> cases;
  for (const auto& [key, case_state] : aggregator.cases()) cases.push_back(&case_state);
  std::size_t next = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const aggregation::CaseState& case_state = *cases[next++ % cases.size()];
    bytes += static_cast<std::int64_t>(aggregation::encode_case_state(case_state).size());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_EncodeChangedCase);

/// The records of a generated organisation with as many cases as each apply thread holds in
/// bench/e2e's 2M-event run (3 partitions of 60,000), in the order `relmap generate` writes them.
const std::vector<std::string>& stream_records() {
  static const std::vector<std::string> records = [] {
    std::vector<std::string> generated;
    producer::generate_organisation({.seed = 5, .cases = 180000}, [&](std::string_view record) { generated.emplace_back(record); });
    return generated;
  }();
  return records;
}

/// What an apply thread of `relmap aggregate` does per event, without Kafka: decode; decode and apply;
/// decode, apply and write the changed cases' states every 50,000 events (an apply thread's share of a
/// transaction of 100,000 on two threads). Unlike
/// BM_AggregationStep, the cases are many and the aggregator starts empty, as in bench/e2e: the figures
/// include the cache misses and the fresh memory of 180,000 open cases.
void BM_AggregatorStream(benchmark::State& state) {
  enum Stage { decode, apply, write };
  const auto stage = static_cast<Stage>(state.range(0));
  const auto& records = stream_records();
  const schemas::Decoder decoder;
  std::vector<aggregation::LateRejection> late;
  std::int64_t written = 0;
  // Writing is timed on its own as well: a few calls per run, against the 0.06 us per event it
  // costs, which the noise between two runs' totals had turned negative.
  std::chrono::duration<double> writing{};
  for (auto _ : state) {
    state.PauseTiming();
    // Each run starts as relmap aggregate does, its cases in memory the kernel has yet to hand out.
    // Otherwise a run reuses the pages the one before it freed: a stage that followed a smaller one
    // paid the first touch of 180,000 cases' memory and the next one did not, which told apart by
    // difference had made writing the changed states look free.
    static const std::string purge_every_arena = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".purge";
    mallctl(purge_every_arena.c_str(), nullptr, nullptr, nullptr, 0);
    auto aggregator = std::make_unique<aggregation::Aggregator>();
    state.ResumeTiming();
    schemas::Event event;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (const auto invalid = decoder.decode_into(records[i], event)) {
        state.SkipWithError(invalid->to_string().c_str());
        break;
      }
      if (stage == decode) {
        benchmark::DoNotOptimize(event);
        continue;
      }
      aggregator->apply(event, late);
      late.clear();
      if (stage == write && (i % 50000 == 49999 || i + 1 == records.size())) {
        const auto started = std::chrono::steady_clock::now();
        for (const auto& [key, case_state] : aggregator->take_changes().cases) {
          written += static_cast<std::int64_t>(aggregation::encode_case_state(*case_state).size());
        }
        writing += std::chrono::steady_clock::now() - started;
      }
    }
    state.PauseTiming();  // freeing the cases is not the aggregator's work per event
    aggregator.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(records.size()));
  state.counters["written_bytes"] = static_cast<double>(written);
  state.counters["writing_seconds"] = writing.count() / static_cast<double>(state.iterations());
  state.counters["events"] = static_cast<double>(records.size());
}
/// The fastest of the repetitions, beside the median: on a shared machine noise only adds time, and
/// decoding and applying are told apart by difference, which the medians' noise had made negative.
double fastest(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }
/// With fastest(), over a rate instead of a time: the slowest and the fastest repetitions' rates.
double largest(const std::vector<double>& values) { return *std::max_element(values.begin(), values.end()); }
BENCHMARK(BM_AggregatorStream)->ArgName("stage")->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->Iterations(1)
    ->ComputeStatistics("min", fastest);

const graph::Aggregates& large_organisation() {
  static const graph::Aggregates aggregates = graph::random_organisation(5000, 200000, 1);
  return aggregates;
}

// The inputs are built before the timed loop: a lazily built one would be timed in the first iteration.
void BM_FullAnalytics(benchmark::State& state) {
  const auto& organisation = large_organisation();
  for (auto _ : state) benchmark::DoNotOptimize(graph::build_relationship_map(organisation));
}
BENCHMARK(BM_FullAnalytics)->Unit(benchmark::kMillisecond)->Iterations(3);

/// A map with the statistics but not yet the structure, for the analytics one at a time.
const graph::RelationshipMap& large_map() {
  static const graph::RelationshipMap map = graph::relationship_statistics(large_organisation());
  return map;
}

// Each analytic of BM_FullAnalytics on its own: the statistics, then the structure's steps on a copy
// of the statistics' map, each after those it needs (untimed).
void BM_MapStatistics(benchmark::State& state) {
  const auto& organisation = large_organisation();
  for (auto _ : state) benchmark::DoNotOptimize(graph::relationship_statistics(organisation));
}
BENCHMARK(BM_MapStatistics)->Unit(benchmark::kMillisecond)->Iterations(3);

enum class StructureStep { shared_graph, communities, silos, bridges, brokers };

void run_structure_step(benchmark::State& state, const graph::RelationshipMap& statistics, StructureStep step) {
  for (auto _ : state) {
    state.PauseTiming();
    graph::RelationshipMap map = statistics;
    std::optional<graph::StructureAnalysis> analysis;
    if (step != StructureStep::shared_graph) analysis.emplace(map, graph::MapSettings{});
    if (step == StructureStep::silos) analysis->find_communities();
    state.ResumeTiming();
    switch (step) {
      case StructureStep::shared_graph: analysis.emplace(map, graph::MapSettings{}); break;
      case StructureStep::communities: analysis->find_communities(); break;
      case StructureStep::silos: analysis->find_silos(); break;
      case StructureStep::bridges: analysis->find_bridges(); break;
      case StructureStep::brokers: analysis->find_brokers(); break;
    }
    benchmark::DoNotOptimize(map);
  }
}

void BM_Structure(benchmark::State& state, StructureStep step) { run_structure_step(state, large_map(), step); }
BENCHMARK_CAPTURE(BM_Structure, shared_graph, StructureStep::shared_graph)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_Structure, communities, StructureStep::communities)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_Structure, silos, StructureStep::silos)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_Structure, bridges, StructureStep::bridges)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_Structure, brokers, StructureStep::brokers)->Unit(benchmark::kMillisecond)->Iterations(3);

/// Brokers at the largest map whose betweenness is exact (1,000 departments, 40 relationships each as
/// above): what the exact path costs at its limit.
void BM_ExactBrokersAtTheLimit(benchmark::State& state) {
  static const graph::RelationshipMap statistics = graph::relationship_statistics(graph::random_organisation(1000, 40000, 1));
  if (statistics.departments.size() > graph::MapSettings{}.exact_betweenness_limit) {
    state.SkipWithError("the organisation is over the exact limit");
    return;
  }
  run_structure_step(state, statistics, StructureStep::brokers);
}
BENCHMARK(BM_ExactBrokersAtTheLimit)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Communities(benchmark::State& state) {
  const auto& map = large_map();
  for (auto _ : state) benchmark::DoNotOptimize(graph::detect_communities(map));
}
BENCHMARK(BM_Communities)->Unit(benchmark::kMillisecond)->Iterations(5)->ComputeStatistics("min", fastest);

/// The reference: igraph's multilevel (Louvain) alone, on the same undirected weighted graph, built
/// beforehand.
void BM_IgraphLouvainReference(benchmark::State& state) {
  const auto& map = large_map();
  std::map<std::string, igraph_integer_t> index;
  for (const auto& department : map.departments) index.emplace(department.id, static_cast<igraph_integer_t>(index.size()));
  std::map<std::pair<igraph_integer_t, igraph_integer_t>, double> weights;
  for (const auto& edge : map.edges) {
    const auto a = index.at(edge.from);
    const auto b = index.at(edge.to);
    weights[{std::min(a, b), std::max(a, b)}] += static_cast<double>(edge.stats.requests + edge.stats.handoffs);
  }
  igraph_vector_int_t edges;
  igraph_vector_t weight;
  igraph_vector_int_init(&edges, static_cast<igraph_integer_t>(2 * weights.size()));
  igraph_vector_init(&weight, static_cast<igraph_integer_t>(weights.size()));
  igraph_integer_t position = 0;
  for (const auto& [pair, value] : weights) {
    VECTOR(edges)[2 * position] = pair.first;
    VECTOR(edges)[2 * position + 1] = pair.second;
    VECTOR(weight)[position++] = value;
  }
  igraph_t graph;
  igraph_create(&graph, &edges, static_cast<igraph_integer_t>(index.size()), IGRAPH_UNDIRECTED);
  igraph_vector_int_t membership;
  igraph_vector_int_init(&membership, 0);
  for (auto _ : state) {
    igraph_rng_seed(igraph_rng_default(), 20261123);
    igraph_community_multilevel(&graph, &weight, 1.0, &membership, nullptr, nullptr);
  }
  igraph_vector_int_destroy(&membership);
  igraph_destroy(&graph);
  igraph_vector_destroy(&weight);
  igraph_vector_int_destroy(&edges);
}
BENCHMARK(BM_IgraphLouvainReference)->Unit(benchmark::kMillisecond)->Iterations(5)->ComputeStatistics("min", fastest);

}  // namespace
}  // namespace relmap

int main(int argc, char** argv) {
  for (const auto& [type, record] : relmap::kRecords) {
    // A per-core rate on a shared machine: the repetitions' range beside their median.
    benchmark::RegisterBenchmark(("BM_DecodeValidate/" + type).c_str(), relmap::decode_validate, type,
                                 relmap::schemas::Decoder::SchemaCheck::compiled)
        ->ComputeStatistics("min", relmap::fastest)
        ->ComputeStatistics("max", relmap::largest);
    // The reference: the same records through RapidJSON's schema validator alone.
    benchmark::RegisterBenchmark(("BM_DecodeWithSchemaValidator/" + type).c_str(), relmap::decode_validate, type,
                                 relmap::schemas::Decoder::SchemaCheck::validator_only);
    benchmark::RegisterBenchmark(("BM_Check/" + type).c_str(), relmap::check_only, type);
    benchmark::RegisterBenchmark(("BM_DecodeNewEvent/" + type).c_str(), relmap::decode_new_event, type);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
