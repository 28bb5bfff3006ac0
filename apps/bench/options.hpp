// The switchboard-bench command line: argv to Options, or to a message and an exit code (help,
// version, usage error). Asio-free and separate from the modes so it can be tested alone.
#pragma once

#include "host_port.hpp"
#include "program.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::bench {

enum class Mode { throughput, latency, idle, scaling, direct };

std::string_view to_string(Mode mode) noexcept;

struct Options {
    Mode mode = Mode::throughput;
    /// The server, for every mode but `direct` (and `latency --direct`).
    apps::HostPort server{"127.0.0.1", 8080};

    std::size_t pairs = 1;
    /// Payload bytes per message, not counting the 0x00 terminator or the 4-byte header.
    std::size_t size = 16;
    /// Messages in flight per pair: a sender stops while this many are unacknowledged.
    std::size_t window = 256;
    std::chrono::milliseconds duration{5'000};
    std::chrono::milliseconds warmup{1'000};
    /// latency: stop after this many measured round trips instead of after `duration`.
    std::optional<std::uint64_t> count;
    /// latency: ping-pong over a loopback connection of the bench's own, no server.
    bool direct = false;

    std::size_t connections = 1'000;
    std::size_t concurrency = 64;
    std::optional<int> server_pid;

    unsigned threads = 1;
    bool json = false;

    /// True when this run talks to a server (so --connect matters).
    bool uses_server() const noexcept { return mode != Mode::direct && !direct; }
    /// "127.0.0.1:8080", or "direct" when no server is involved.
    std::string target() const;
};

using CommandLine = apps::CommandLine<Options>;

/// Never throws for bad input: a usage error is print_and_exit with exit code 2 and a message
/// naming the option at fault.
CommandLine parse_command_line(int argc, const char* const* argv);

} // namespace switchboard::bench
