// Interactive mode: commands from stdin and messages from the server, served concurrently by
// coroutines on one io_context.
#pragma once

#include "arguments.hpp"

namespace switchboard::cli {

/// Runs until `quit`, the end of stdin, or the end of the connection; returns the exit code.
int run_interactive(const Options& options);

} // namespace switchboard::cli
