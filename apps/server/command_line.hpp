// The `switchboard` command line: turns argv into a Config, or into a message and an exit
// code (help, version, or a usage error). Kept apart from main() so it can be unit-tested.
#pragma once

#include "lab/model.hpp"
#include "program.hpp"

#include <switchboard/config.hpp>

#include <chrono>

namespace switchboard::apps::server {

struct ServerOptions {
    Config config;
    /// The design to serve with (--model, --threads): the product's single-task by default.
    lab::Options lab;
    /// How long the server thread polls after its last event before it sleeps (run_polling).
    std::chrono::microseconds busy_poll{50};
};

using CommandLine = apps::CommandLine<ServerOptions>;

/// Parses the command line. Never throws for bad input: a usage error comes back as
/// print_and_exit with exit code 2 and a message that names the option at fault.
CommandLine parse_command_line(int argc, const char* const* argv);

} // namespace switchboard::apps::server
