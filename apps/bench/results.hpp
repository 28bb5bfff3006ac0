// What each mode measures. Plain data, printed by report.hpp as a summary or as JSON.
#pragma once

#include <cstdint>
#include <optional>

namespace switchboard::bench {

/// CPU time used over the measured interval, in cores (1.0 = one core busy all the time),
/// and the time spent waiting for a CPU, in the same unit: a wait well above 0 means other
/// load on the machine took the CPU and the figures understate what the code can do.
struct CpuUse {
    double bench = 0;
    /// The server's, when its PID was given.
    std::optional<double> server;
    std::optional<double> bench_wait;
    std::optional<double> server_wait;
};

/// throughput, direct, and the load part of scaling.
struct ThroughputResult {
    /// Messages counted at the receivers during the measured interval.
    std::uint64_t messages = 0;
    double elapsed_s = 0;
    double messages_per_s = 0;
    /// Payload bytes (size * messages) per second, in 10^6 bytes.
    double mb_per_s = 0;
    /// Over the whole run, warm-up and drain included: every message sent must be received.
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    /// Bytes the receivers read over the whole run; must be received * bytes per delivery.
    std::uint64_t received_bytes = 0;
    std::uint64_t expected_bytes = 0;
    CpuUse cpu;
};

/// latency; times in microseconds.
struct LatencyResult {
    std::uint64_t round_trips = 0;
    double elapsed_s = 0;
    double round_trips_per_s = 0;
    double min_us = 0;
    double mean_us = 0;
    double p50_us = 0;
    double p90_us = 0;
    double p99_us = 0;
    double p999_us = 0;
    double max_us = 0;
    CpuUse cpu;
};

/// idle, and the first part of scaling.
struct IdleResult {
    std::uint64_t connections = 0;
    double elapsed_s = 0;
    double connections_per_s = 0;
    /// Distinct IDs among those received (the protocol requires all distinct).
    std::uint64_t distinct_ids = 0;
    /// The server's VmRSS in bytes before and after, when its PID was given.
    std::optional<std::uint64_t> server_rss_before;
    std::optional<std::uint64_t> server_rss_after;
    /// (after - before) / connections, in bytes; may be negative if the server freed memory.
    std::optional<double> server_rss_per_connection;
};

struct ScalingResult {
    IdleResult idle;
    ThroughputResult load;
};

} // namespace switchboard::bench
