// The `switchboard` command line: turns argv into a Config, or into a message and an exit
// code (help, version, or a usage error). Kept apart from main() so it can be unit-tested.
#pragma once

#include "lab/model.hpp"

#include <switchboard/config.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::app {

struct CommandLine {
    enum class Action { run, print_and_exit };
    Action action = Action::run;
    Config config;
    /// The design to serve with (--model, --threads): the product's single-task by default.
    lab::Options lab;
    /// How long the server thread polls after its last event before it sleeps (run_polling).
    std::chrono::microseconds busy_poll{50};
    /// For print_and_exit: what to print (help, version, or the error).
    std::string message;
    /// For print_and_exit: 0 for help/version, 2 for a usage error.
    int exit_code = 0;
};

/// Parses the command line. Never throws for bad input: a usage error comes back as
/// print_and_exit with exit code 2 and a message that names the option at fault.
CommandLine parse_command_line(int argc, const char* const* argv);

struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};

/// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0". Host must be an IP literal.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

} // namespace switchboard::app
