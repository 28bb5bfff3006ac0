// HOST:PORT as the programs take it on their command lines: "127.0.0.1:8080", "[::1]:8080",
// "localhost:8080". One parser with two rule sets, because a server and a client need different
// things: where a server listens must be an IP literal (nothing to resolve) and may be port 0
// (the system picks a free one); where a client connects may be a host name, and needs a port
// something listens on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::apps {

struct HostPort {
    /// An IP literal or a host name, IPv6 without its brackets ("::1").
    std::string host;
    std::uint16_t port = 0;
};

/// What a HOST:PORT may hold beyond the syntax every one shares (an IPv6 literal in brackets,
/// anything else without a colon; a decimal port up to 65535).
struct HostPortRules {
    /// Else the host must be an IP literal.
    bool host_name = false;
    /// Port 0: "any free port", which only makes sense where one listens.
    bool port_zero = false;
    /// How an error message names what was expected: "HOST:PORT with ...".
    std::string_view description;
};

/// Where a server listens: "127.0.0.1:8080", "0.0.0.0:0", "[::1]:8080".
inline constexpr HostPortRules listen_rules{
    false, true, "HOST:PORT with an IP address and a port from 0 to 65535 (e.g. 127.0.0.1:8080)"};
/// Where a client connects: "localhost:8080", "10.0.0.2:8080", "[::1]:8080".
inline constexpr HostPortRules connect_rules{
    true, false,
    "HOST:PORT with a host name or an IP address and a port from 1 to 65535 "
    "(e.g. 127.0.0.1:8080)"};

/// The host and port of `text` if it is a HOST:PORT that `rules` allow, else nullopt.
std::optional<HostPort> parse_host_port(std::string_view text, const HostPortRules& rules);

/// The inverse: "127.0.0.1:8080", "localhost:8080", "[::1]:8080" for an IPv6 literal.
std::string format_host_port(const HostPort& address);

} // namespace switchboard::apps
