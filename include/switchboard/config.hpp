// Everything a server can be told, with the defaults of PROTOCOL.md.
#pragma once

#include <switchboard/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

inline constexpr std::size_t KiB = 1024;
inline constexpr std::size_t MiB = 1024 * KiB;

/// How the server shares its state between connections. `single_task` is the design this
/// project exists to show; the others are the designs it is usually compared with, kept on
/// the same protocol so they can be measured side by side (docs/patterns.md).
enum class Model {
    single_task, ///< one thread; a reader and a writer coroutine per peer; no locks
    mutex,       ///< a thread pool; the directory behind a std::mutex, a strand per peer
    channels,    ///< a thread pool; one dispatcher owns the directory, fed over channels
    race,        ///< one thread, one coroutine racing every pending operation each turn
    reactor,     ///< one thread, a hand-rolled readiness loop over non-blocking sockets
};

std::string_view to_string(Model model) noexcept;
/// Accepts the names to_string gives: single-task, mutex, channels, race, reactor.
std::optional<Model> parse_model(std::string_view text) noexcept;

struct Config {
    /// Address to listen on: an IPv4 or IPv6 literal (not a host name).
    std::string host = "127.0.0.1";
    /// 0 picks an ephemeral port; Server::port() tells which.
    std::uint16_t port = 8080;

    Model model = Model::single_task;
    /// Worker threads of the multi-threaded models (mutex, channels); 0 means one per core.
    /// The one-thread models ignore it: they run on the io_context given to the Server.
    std::size_t threads = 0;

    /// Longest accepted frame, counting the 4-byte header and the terminator.
    std::size_t max_frame = 1 * MiB;
    /// A sender writing to an outbox above `high_water` bytes is paused until the outbox
    /// drains to `low_water` bytes or its owner leaves.
    std::size_t high_water = 4 * MiB;
    std::size_t low_water = 1 * MiB;
    /// A peer with queued bytes whose socket accepted nothing for this long is disconnected.
    std::chrono::milliseconds slow_consumer_timeout{30'000};
    /// Connections beyond this are accepted and closed at once.
    std::size_t max_connections = 10'000;
    /// On stop, how long queued bytes may take to flush before they are dropped.
    std::chrono::milliseconds drain_timeout{5'000};
    /// Tell a sender `0xFF "Error: ..." 0x00` when its frame has no destination.
    bool error_notices = false;

    /// Size of the reference-counted chunks that reads land in.
    std::size_t read_chunk_size = 64 * KiB;

    LogLevel log_level = LogLevel::info;
    /// Where log lines go; empty means stderr.
    LogSink log_sink;

    /// Describes the first inconsistent value (e.g. low water above high water), or nullopt.
    std::optional<std::string> validate() const;
};

} // namespace switchboard
