// Everything a server can be told, with the defaults of docs/protocol.md.
#pragma once

#include <switchboard/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace switchboard {

struct Config {
    /// Address to listen on: an IPv4 or IPv6 literal (not a host name).
    std::string host = "127.0.0.1";
    /// 0 picks an ephemeral port; Server::port() tells which.
    std::uint16_t port = 8080;

    /// Longest accepted frame, counting the 4-byte header and the terminator (1 MiB).
    std::size_t max_frame = std::size_t{1} << 20;
    /// A sender writing to an outbox above `high_water` bytes is paused until the outbox
    /// drains to `low_water` bytes or its owner leaves.
    std::size_t high_water = std::size_t{4} << 20; ///< 4 MiB
    std::size_t low_water = std::size_t{1} << 20;  ///< 1 MiB
    /// A peer with queued bytes whose socket accepted nothing for this long is disconnected.
    std::chrono::milliseconds slow_consumer_timeout{30'000};
    /// Connections beyond this are accepted and closed at once.
    std::size_t max_connections = 10'000;
    /// On stop, how long queued bytes may take to flush before they are dropped.
    std::chrono::milliseconds drain_timeout{5'000};
    /// Tell a sender `0xFF "Error: ..." 0x00` when its frame has no destination.
    bool error_notices = false;

    LogLevel log_level = LogLevel::info;
    /// Where log lines go; empty means stderr.
    LogSink log_sink;

    /// Describes the first inconsistent value (e.g. low water above high water), or nullopt.
    std::optional<std::string> validate() const;
};

} // namespace switchboard
