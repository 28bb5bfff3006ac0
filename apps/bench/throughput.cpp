// `throughput` and `direct`: the same load (pair_load) over pairs of server clients, or over
// loopback connections with no server at all.
#include "modes.hpp"
#include "pair_load.hpp"

namespace switchboard::bench {

ThroughputResult run_throughput(const Options& options, Progress& progress) {
    Workers workers(options.threads);
    const tcp::endpoint server = resolve(options.server.host, options.server.port);
    auto pairs = connect_server_pairs(workers, options.pairs, server, options.target());
    return run_pair_load(workers, std::move(pairs), load_settings(options), progress);
}

ThroughputResult run_direct(const Options& options, Progress& progress) {
    Workers workers(options.threads);
    auto pairs = make_direct_pairs(workers, options.pairs);
    return run_pair_load(workers, std::move(pairs), load_settings(options), progress);
}

} // namespace switchboard::bench
