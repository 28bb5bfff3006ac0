// How switchboard-cli reads IDs and addresses and shows messages. No IO.
#pragma once

#include <switchboard/protocol.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::cli {

/// "3735928559" or "0xdeadbeef" (0X, upper-case digits too); any u32.
std::optional<PeerId> parse_peer_id(std::string_view text);
/// "3735928559 (0xdeadbeef)": decimal for scripts, hex for people.
std::string format_peer_id(PeerId id);

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};
/// "127.0.0.1:8080", "localhost:8080", "[::1]:8080"; the port must be 1..65535.
std::optional<HostPort> parse_host_port(std::string_view text);
/// The inverse: "[::1]:8080" for IPv6 literals.
std::string format_host_port(const HostPort& address);

/// Printable ASCII as is; backslash, \n, \r, \t escaped; every other byte as \xNN.
std::string escape_text(std::string_view bytes);
/// Lower-case hex, a space between bytes: "68 65 6c 6c 6f".
std::string to_hex(std::string_view bytes);

/// The line printed for a delivered message: "received: <text>" (or hex).
std::string format_received(std::string_view payload, bool hex);

} // namespace switchboard::cli
