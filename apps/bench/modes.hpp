// The five modes. Each sets up its connections, runs, and returns what it measured; a failure
// is a BenchError with a message for the user.
#pragma once

#include "options.hpp"
#include "progress.hpp"
#include "results.hpp"

namespace switchboard::bench {

ThroughputResult run_throughput(const Options& options, Progress& progress);
ThroughputResult run_direct(const Options& options, Progress& progress);
LatencyResult run_latency(const Options& options, Progress& progress);
IdleResult run_idle(const Options& options, Progress& progress);
ScalingResult run_scaling(const Options& options, Progress& progress);

} // namespace switchboard::bench
