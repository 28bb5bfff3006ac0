// switchboard-bench as a function: the program without its process, so the smoke test can
// run every mode in-process against an in-process server and read what it prints.
#pragma once

#include <ostream>

namespace switchboard::bench {

/// Parses `argv`, runs the mode, prints the summary (or with --json one JSON object) on
/// `out`, errors on `err`, and the live progress line on `err` when `progress` is set.
/// Returns the exit status: 0 done, 1 the run failed, 2 bad arguments.
int run_bench(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
              bool progress);

} // namespace switchboard::bench
