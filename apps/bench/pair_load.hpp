// The throughput engine, shared by `throughput`, `scaling` and `direct`: each pair's sender
// keeps at most `window` messages unacknowledged, where the acknowledgement is its receiver's
// count of messages (both live in the bench, on one thread). Warm-up, then the measured
// interval, then a drain in which every message sent must arrive.
//
// Why the bench is not the bottleneck it measures: a sender writes as many frames as the
// window allows in one write (up to 256 KiB of prebuilt frames, so a write costs no work per
// message); a receiver reads up to 256 KiB at a time and only counts the 0x00 bytes in it;
// nothing is allocated per message. docs/benchmarks.md says how this was checked.
#pragma once

#include "options.hpp"
#include "pairs.hpp"
#include "progress.hpp"
#include "results.hpp"
#include "workers.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::bench {

struct LoadSettings {
    std::size_t size = 16;
    std::size_t window = 256;
    std::chrono::milliseconds warmup{1'000};
    std::chrono::milliseconds duration{5'000};
    /// The bytes a receiver gets per message: size + 1 through a relay, the whole frame
    /// (size + 5) when the sender writes to it directly.
    std::size_t delivered_size = 17;
    std::optional<int> server_pid;
    /// Names the run on the progress line and who closed connections in errors.
    std::string label;
    std::string peer_name;
};

/// The settings for `options` (throughput, direct or scaling).
LoadSettings load_settings(const Options& options);

/// Runs the load over `pairs` (pair i's sockets belong to workers.context(i)) and returns
/// what the receivers counted. Throws BenchError if a connection fails, if a message is not
/// delivered within 10 s of the end, or if the byte count does not match the message count.
ThroughputResult run_pair_load(Workers& workers, std::vector<PairLink> pairs,
                               const LoadSettings& settings, Progress& progress);

} // namespace switchboard::bench
