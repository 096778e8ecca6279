# Every third-party dependency, found once. All come from Debian packages (deploy/install-deps).
find_package(PkgConfig REQUIRED)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET GLOBAL rdkafka>=2.0)
find_package(Boost 1.74 REQUIRED COMPONENTS graph)
find_package(spdlog 1.10 REQUIRED CONFIG)
find_package(CLI11 2.1 REQUIRED CONFIG)
find_package(Threads REQUIRED)
find_package(EXPAT REQUIRED)
find_package(ZLIB REQUIRED)
find_package(absl REQUIRED CONFIG)
find_package(simdjson 3.0 REQUIRED CONFIG)  # the decoder's parser (RapidJSON keeps the schema validator)
find_package(msgpack 4.1 REQUIRED CONFIG)  # the aggregator's changelog and aggregates records (target msgpackc-cxx)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
find_package(tomlplusplus 3.3 REQUIRED CONFIG)  # relmap run's configuration file
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib>=0.11)
pkg_check_modules(IGRAPH REQUIRED IMPORTED_TARGET GLOBAL igraph>=0.10)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET GLOBAL libxxhash>=0.8)
# The relmap binary's malloc: glibc's arenas serialised the apply threads freeing the messages
# librdkafka's threads allocated (bench/README.md).
pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET GLOBAL jemalloc>=5.2)
find_library(CSV_LIBRARY NAMES csv REQUIRED)  # libcsv ships no CMake or pkg-config file

# RapidJSON's CMake config defines no target.
find_package(RapidJSON 1.1 REQUIRED CONFIG)
if(NOT TARGET relmap_rapidjson)
  add_library(relmap_rapidjson INTERFACE)
  target_include_directories(relmap_rapidjson SYSTEM INTERFACE ${RapidJSON_INCLUDE_DIRS} ${RAPIDJSON_INCLUDE_DIRS})
  # std::string overloads (GenericValue from std::string) make the callers simpler.
  target_compile_definitions(relmap_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)
  # SSE2 is part of x86-64 itself: RapidJSON then scans strings and whitespace 16 bytes at a time.
  # Those aligned loads read past a string's end within its page, which AddressSanitizer rightly
  # reports: a sanitized build scans byte by byte.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND NOT RELMAP_SANITIZE)
    target_compile_definitions(relmap_rapidjson INTERFACE RAPIDJSON_SSE2)
  endif()
  add_library(RapidJSON::RapidJSON ALIAS relmap_rapidjson)
endif()

if(RELMAP_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED CONFIG)
endif()
