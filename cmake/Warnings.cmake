# One INTERFACE target carries the warning flags; every relmap target links it PRIVATE.
add_library(relmap_warnings INTERFACE)
target_compile_options(relmap_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                       -Wold-style-cast -Wcast-align -Woverloaded-virtual)
if(RELMAP_WERROR)
  target_compile_options(relmap_warnings INTERFACE -Werror)
endif()
