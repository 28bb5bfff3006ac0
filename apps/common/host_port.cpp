#include "host_port.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include <charconv>

namespace switchboard::apps {

namespace {

bool is_ipv4_literal(std::string_view text) {
    boost::system::error_code bad;
    boost::asio::ip::make_address_v4(std::string(text), bad);
    return !bad;
}

bool is_ipv6_literal(std::string_view text) {
    boost::system::error_code bad;
    boost::asio::ip::make_address_v6(std::string(text), bad);
    return !bad;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

} // namespace

std::optional<HostPort> parse_host_port(std::string_view text, const HostPortRules& rules) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) {
        // Brackets hold an IPv6 literal and nothing else (RFC 3986): its colons would be
        // ambiguous with the port's, and a bracketed name or IPv4 address is a typo.
        const auto close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1, 1) != ":")
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        if (!is_ipv6_literal(host))
            return std::nullopt;
    } else {
        // One colon only: "::1:80" is an unbracketed IPv6 literal whose port cannot be told.
        const auto colon = text.find(':');
        if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
            return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.empty() || (!rules.host_name && !is_ipv4_literal(host)))
            return std::nullopt;
    }
    const auto number = parse_port(port);
    if (!number || (*number == 0 && !rules.port_zero))
        return std::nullopt;
    return HostPort{std::string(host), *number};
}

std::string format_host_port(const HostPort& address) {
    const bool v6 = address.host.find(':') != std::string::npos;
    return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

} // namespace switchboard::apps
