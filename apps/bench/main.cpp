// switchboard-bench: measures a server of the switchboard protocol. Everything but the
// process itself lives in the switchboard_bench_core library (bench.hpp).
#include "bench.hpp"

#include <iostream>
#include <unistd.h>

int main(int argc, char** argv) {
    return switchboard::bench::run_bench(argc, argv, std::cout, std::cerr,
                                         isatty(STDERR_FILENO) != 0);
}
