// The switchboard-cli command line: turns argv into Options, or into a message to print and
// an exit code (help, version, or a usage error). No IO, so it is unit-tested directly.
#pragma once

#include "host_port.hpp"
#include "program.hpp"

#include <switchboard/protocol.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace switchboard::cli {

struct Options {
    apps::HostPort server{"127.0.0.1", 8080};
    /// One-shot mode: send `message` to `to` (given together), then wait for `wait` messages.
    std::optional<PeerId> to;
    std::optional<std::string> message;
    std::size_t wait = 0;
    /// Bounds connecting, the goodbye, and in one-shot mode sending and the wait for all
    /// `wait` messages.
    std::chrono::milliseconds timeout{5'000};
    bool hex = false;

    /// One-shot (for scripts) rather than interactive (commands from stdin).
    bool one_shot() const noexcept { return to.has_value() || wait > 0; }
};

using Arguments = apps::CommandLine<Options>;

/// Never throws for bad input: a usage error comes back as print_and_exit with exit code 2
/// and a message naming the option at fault.
Arguments parse_arguments(int argc, const char* const* argv);

} // namespace switchboard::cli
