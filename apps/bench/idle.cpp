// `idle` and `scaling`: many connections that only receive their IDs, then (scaling) a
// throughput load while they stay open.
#include "idle_connections.hpp"
#include "modes.hpp"
#include "pair_load.hpp"
#include "process_stats.hpp"

#include <algorithm>

namespace switchboard::bench {

namespace {

IdleResult measure_idle(Workers& workers, const Options& options, const tcp::endpoint& server,
                        Progress& progress, IdleConnections& connections) {
    IdleResult result;
    if (options.server_pid) {
        result.server_rss_before = resident_bytes(*options.server_pid);
        if (!result.server_rss_before)
            throw BenchError("cannot read VmRSS from /proc/" + std::to_string(*options.server_pid) +
                             "/status (--server-pid)");
    }
    connections = open_idle_connections(workers, options, server, progress);
    if (options.server_pid)
        result.server_rss_after = resident_bytes(*options.server_pid);
    result.connections = connections.sockets.size();
    result.elapsed_s = connections.elapsed_s;
    if (result.connections == 0) // scaling's baseline
        return result;
    result.connections_per_s = static_cast<double>(result.connections) / result.elapsed_s;
    std::vector<PeerId> ids = connections.ids;
    std::sort(ids.begin(), ids.end());
    result.distinct_ids =
        static_cast<std::uint64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
    if (result.server_rss_before && result.server_rss_after)
        result.server_rss_per_connection = (static_cast<double>(*result.server_rss_after) -
                                            static_cast<double>(*result.server_rss_before)) /
                                           static_cast<double>(result.connections);
    return result;
}

} // namespace

IdleResult run_idle(const Options& options, Progress& progress) {
    Workers workers(options.threads);
    const tcp::endpoint server = resolve(options.server.host, options.server.port);
    IdleConnections connections;
    return measure_idle(workers, options, server, progress, connections);
}

ScalingResult run_scaling(const Options& options, Progress& progress) {
    Workers workers(options.threads);
    const tcp::endpoint server = resolve(options.server.host, options.server.port);
    IdleConnections connections; // held open until the load has run
    ScalingResult result;
    result.idle = measure_idle(workers, options, server, progress, connections);

    auto pairs = connect_server_pairs(workers, options.pairs, server, options.target());
    result.load = run_pair_load(workers, std::move(pairs), load_settings(options), progress);
    return result;
}

} // namespace switchboard::bench
