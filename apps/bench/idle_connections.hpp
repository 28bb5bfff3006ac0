// Opening many connections that then sit idle: used by `idle` (which measures the opening and
// the server's memory) and `scaling` (which runs a load while they stay open).
#pragma once

#include "net.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "workers.hpp"

#include <optional>
#include <vector>

namespace switchboard::bench {

struct IdleConnections {
    /// Open, each having received its ID; nothing is read from them afterwards.
    std::vector<std::optional<tcp::socket>> sockets;
    std::vector<PeerId> ids;
    /// From the first connect to the last ID received.
    double elapsed_s = 0;
};

/// Opens options.connections connections to `server`, options.concurrency at a time, spread
/// over the workers. Throws BenchError as soon as one fails.
IdleConnections open_idle_connections(Workers& workers, const Options& options,
                                      const tcp::endpoint& server, Progress& progress);

} // namespace switchboard::bench
