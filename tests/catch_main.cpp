// Catch2's main, compiled with the project's flags. Debian's prebuilt Catch2WithMain is built
// without sanitizers and carries its own copies of library templates (std::shared_ptr's
// release among them) that the linker may pick for the whole test binary. Under
// ThreadSanitizer that uninstrumented copy's lock-free fast path reads as a data race on
// every object whose last reference is dropped on another thread.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
