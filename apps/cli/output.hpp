// Where switchboard-cli writes: results on stdout, one line each, flushed at once (a script
// or a test reads them from a pipe as they come); problems on stderr, prefixed.
#pragma once

#include <iostream>
#include <string_view>

namespace switchboard::cli {

inline void print_line(std::string_view line) {
    std::cout << line << '\n' << std::flush;
}

inline void print_error(std::string_view message) {
    std::cerr << "switchboard-cli: " << message << '\n' << std::flush;
}

} // namespace switchboard::cli
