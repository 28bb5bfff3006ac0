#include "command.hpp"

#include "format.hpp"

#include <algorithm>

namespace switchboard::cli::command {

const std::string_view help_text = "commands:\n"
                                   "  send DEST TEXT   send TEXT to DEST (decimal or 0x-hex)\n"
                                   "  id               print this client's ID\n"
                                   "  help             print this list\n"
                                   "  quit             leave (so does end of input)";

namespace {

constexpr std::string_view blanks = " \t";

/// Splits off the first word; `rest` is what follows it, blanks included.
std::string_view first_word(std::string_view text, std::string_view& rest) {
    const auto end = std::min(text.find_first_of(blanks), text.size());
    const std::string_view word = text.substr(0, end);
    rest = text.substr(end);
    return word;
}

} // namespace

Command parse(std::string_view line) {
    if (line.ends_with('\r'))
        line.remove_suffix(1);
    const auto start = line.find_first_not_of(blanks);
    if (start == std::string_view::npos)
        return Nothing{};
    line.remove_prefix(start);

    std::string_view rest;
    const std::string_view name = first_word(line, rest);
    if (name == "send") {
        rest.remove_prefix(std::min(rest.find_first_not_of(blanks), rest.size()));
        std::string_view text;
        const std::string_view destination = first_word(rest, text);
        if (destination.empty())
            return Invalid{"usage: send DEST TEXT"};
        const auto id = parse_peer_id(destination);
        if (!id)
            return Invalid{"send: '" + std::string(destination) +
                           "' is not an ID (a 32-bit number, decimal or 0x-hex)"};
        // One blank separates DEST from TEXT; any further blanks belong to the message.
        if (!text.empty())
            text.remove_prefix(1);
        return Send{*id, std::string(text)};
    }
    const bool trailing = rest.find_first_not_of(blanks) != std::string_view::npos;
    if (name == "id" || name == "help" || name == "quit") {
        if (trailing)
            return Invalid{"'" + std::string(name) + "' takes no arguments"};
        if (name == "id")
            return ShowId{};
        if (name == "help")
            return Help{};
        return Quit{};
    }
    return Invalid{"unknown command '" + std::string(name) + "'; type 'help' for the list"};
}

} // namespace switchboard::cli::command
