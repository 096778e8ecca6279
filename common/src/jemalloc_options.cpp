// Compiled into each executable that links relmap::jemalloc: jemalloc reads this variable at start-up,
// before main(), and MALLOC_CONF in the environment still overrides it.

// One arena for the whole process. jemalloc's default gives each thread one of four arenas per core,
// and `relmap aggregate` allocates on one thread what it frees on another: librdkafka's fetching thread
// allocates every message, the apply threads free it. With an arena per thread, that memory was not
// reused: 240,000 to 273,000 page faults on 2M events against 165,000 to 185,000 with one arena (about
// its peak resident set); in 14 alternating pairs of runs, one arena was faster in 11, by 4% in the
// medians (bench/HISTORY.md, the tenth session).
extern "C" {
// NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables): jemalloc's documented interface
const char* malloc_conf = "narenas:1";
}
