// Compiled into each executable that links relmap::jemalloc: jemalloc reads this variable at start-up,
// before main(), and MALLOC_CONF in the environment still overrides it.

// One arena for the whole process. jemalloc's default gives each thread one of four arenas per core,
// and `relmap aggregate` allocates on one thread what it frees on another: librdkafka's fetching thread
// allocates every message, the apply threads free it. With an arena per thread, that memory was not
// reused: 250,000 page faults on 2M events against 175,000 with one arena (about the peak resident
// set), and the aggregator's CPU 6.6 to 7.2 s against 5.7 to 6.7 s (bench/README.md).
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's documented interface
const char* malloc_conf = "narenas:1";
}
