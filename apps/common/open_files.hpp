// The open-files limit bounds how many connections the process can hold.
#pragma once

#include <cstdint>

namespace switchboard::apps {

/// Raises the soft RLIMIT_NOFILE to the hard limit and returns the effective soft limit.
std::uint64_t raise_open_files_limit();

} // namespace switchboard::apps
