// Loads `relmap ingest` as integrations do: several keep-alive connections, each posting NDJSON bodies
// of a few events and waiting for the answer (which comes once Kafka has acknowledged every event).
// Every event of the file is sent once: body k holds lines k*E .. k*E+E-1 and goes over connection
// k mod C. Prints one line: requests, events, seconds, events/s, latency percentiles, answers that
// were not 200 (any makes the exit status 1). Like most HTTP clients, it accepts gzip answers (the
// ingest then compresses them) and sends with TCP_NODELAY.
// Usage: relmap_ingest_load HOST:PORT EVENTS.jsonl [CONNECTIONS=16] [EVENTS_PER_REQUEST=100]
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

std::vector<std::string> request_bodies(const std::string& path, std::size_t events_per_request, std::size_t& events) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> bodies;
  std::string line;
  std::size_t in_body = 0;
  events = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (in_body == 0) bodies.emplace_back();
    bodies.back().append(line).push_back('\n');
    ++events;
    in_body = (in_body + 1) % events_per_request;
  }
  return bodies;
}

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(fraction * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: relmap_ingest_load HOST:PORT EVENTS.jsonl [CONNECTIONS=16] [EVENTS_PER_REQUEST=100]\n";
    return 2;
  }
  const std::string address = argv[1];
  const auto colon = address.rfind(':');
  const std::string host = address.substr(0, colon);
  const int port = std::stoi(address.substr(colon + 1));
  const std::size_t connections = argc > 3 ? std::stoul(argv[3]) : 16;
  const std::size_t events_per_request = argc > 4 ? std::stoul(argv[4]) : 100;
  std::size_t events = 0;
  const auto bodies = request_bodies(argv[2], events_per_request, events);

  std::vector<std::vector<double>> latencies(connections);
  std::atomic<std::size_t> not_ok{0};
  std::atomic<std::size_t> unanswered{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> senders;
  for (std::size_t connection = 0; connection < connections; ++connection) {
    senders.emplace_back([&, connection] {
      httplib::Client client(host, port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);  // as curl and most HTTP clients send
      client.set_read_timeout(60, 0);
      for (std::size_t body = connection; body < bodies.size(); body += connections) {
        const auto sent = std::chrono::steady_clock::now();
        const auto answer = client.Post("/v1/events", bodies[body], "application/x-ndjson");
        latencies[connection].push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count());
        if (!answer) {
          if (unanswered++ == 0) std::cerr << "relmap_ingest_load: no answer: " << httplib::to_string(answer.error()) << "\n";
        } else if (answer->status != 200) {
          if (not_ok++ == 0) std::cerr << "relmap_ingest_load: answer " << answer->status << ": " << answer->body.substr(0, 300) << "\n";
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::vector<double> all;
  for (const auto& of_connection : latencies) all.insert(all.end(), of_connection.begin(), of_connection.end());
  std::sort(all.begin(), all.end());
  std::printf("%zu requests of %zu events over %zu connections, %zu events: %.3f s, %.0f events/s, latency ms p50 %.1f p99 %.1f max %.1f, "
              "%zu not 200, %zu unanswered\n",
              bodies.size(), events_per_request, connections, events, seconds, static_cast<double>(events) / seconds,
              percentile(all, 0.5), percentile(all, 0.99), all.empty() ? 0.0 : all.back(), not_ok.load(), unanswered.load());
  return not_ok == 0 && unanswered == 0 ? 0 : 1;
}
