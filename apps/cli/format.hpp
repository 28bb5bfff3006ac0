// How switchboard-cli reads IDs and shows messages. No IO.
#pragma once

#include <switchboard/protocol.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::cli {

/// "3735928559" or "0xdeadbeef" (0X, upper-case digits too); any u32.
std::optional<PeerId> parse_peer_id(std::string_view text);
/// "3735928559 (0xdeadbeef)": decimal for scripts, hex for people.
std::string format_peer_id(PeerId id);

/// Printable ASCII as is; backslash, \n, \r, \t escaped; every other byte as \xNN.
std::string escape_text(std::string_view bytes);
/// Lower-case hex, a space between bytes: "68 65 6c 6c 6f".
std::string to_hex(std::string_view bytes);

/// The line printed for a delivered message: "received: <text>" (or hex).
std::string format_received(std::string_view payload, bool hex);

} // namespace switchboard::cli
