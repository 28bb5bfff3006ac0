// The switchboard-cli command line: turns argv into Options, or into a message to print and
// an exit code (help, version, or a usage error). No IO, so it is unit-tested directly.
#pragma once

#include "format.hpp"

#include <switchboard/protocol.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace switchboard::cli {

struct Options {
    HostPort server{"127.0.0.1", 8080};
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

struct Arguments {
    enum class Action { run, print_and_exit };
    Action action = Action::run;
    Options options;
    /// For print_and_exit: what to print (help, version, or the error).
    std::string message;
    /// For print_and_exit: 0 for help and version, 2 for a usage error.
    int exit_code = 0;
};

/// Never throws for bad input: a usage error comes back as print_and_exit with exit code 2
/// and a message naming the option at fault.
Arguments parse_arguments(int argc, const char* const* argv);

} // namespace switchboard::cli
