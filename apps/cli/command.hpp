// The interactive mode's commands, one per input line. No IO.
#pragma once

#include <switchboard/protocol.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace switchboard::cli::command {

struct Nothing {}; ///< an empty or blank line
struct Send {
    PeerId destination = 0;
    std::string text; ///< the rest of the line after one separating space, kept verbatim
};
struct ShowId {};
struct Help {};
struct Quit {};
struct Invalid {
    std::string reason;
};

using Command = std::variant<Nothing, Send, ShowId, Help, Quit, Invalid>;

/// Parses one line (without its '\n'; a trailing '\r' is dropped).
Command parse(std::string_view line);

/// What `help` prints.
extern const std::string_view help_text;

} // namespace switchboard::cli::command
