# relmap_module(NAME SOURCES ... DEPENDS ... [PRIVATE_DEPENDS ...])
# Declares library relmap_<NAME> with alias relmap::<NAME>; public headers in <folder>/include.
function(relmap_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(relmap_${name} ${ARG_SOURCES})
  add_library(relmap::${name} ALIAS relmap_${name})
  target_include_directories(relmap_${name} PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>)
  target_link_libraries(relmap_${name} PUBLIC ${ARG_DEPENDS} PRIVATE relmap_warnings ${ARG_PRIVATE_DEPENDS})
endfunction()
