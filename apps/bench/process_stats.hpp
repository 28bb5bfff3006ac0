// What /proc and getrusage tell about the bench and the server it measures: resident memory,
// and CPU time, so a report can show which side was busy.
#pragma once

#include "results.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace switchboard::bench {

/// VmRSS of process `pid` in bytes, from /proc/PID/status; nullopt if it cannot be read.
std::optional<std::uint64_t> resident_bytes(int pid);

/// User + system CPU seconds of process `pid` (all threads), from /proc/PID/stat.
std::optional<double> cpu_seconds(int pid);

/// User + system CPU seconds of this process (all threads).
double own_cpu_seconds();

/// Seconds the threads of process `pid` spent runnable but waiting for a CPU (the run_delay
/// of /proc/PID/task/*/schedstat): a measure of how much other load on the machine got in
/// the way. nullopt where the kernel does not keep scheduler statistics.
std::optional<double> runqueue_wait_seconds(int pid);

/// Wall time and CPU time of the bench and (optionally) the server at one instant.
struct CpuSample {
    std::chrono::steady_clock::time_point when;
    double bench = 0;
    std::optional<double> server;
    std::optional<double> bench_wait;
    std::optional<double> server_wait;
};

CpuSample sample_cpu(std::optional<int> server_pid);

/// CPU used between two samples, in cores.
CpuUse cpu_between(const CpuSample& from, const CpuSample& to);

} // namespace switchboard::bench
