// One-shot mode for scripts: connect, send one message, print the next N, leave.
#pragma once

#include "arguments.hpp"

namespace switchboard::cli {

/// Returns the exit code: 0 done, 1 when the server cannot be reached, closes the
/// connection, or does not deliver the awaited messages in time.
int run_one_shot(const Options& options);

} // namespace switchboard::cli
