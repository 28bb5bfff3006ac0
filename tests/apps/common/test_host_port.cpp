// HOST:PORT under the two rule sets: where a server listens and where a client connects.
#include "host_port.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>

using namespace switchboard::apps;

namespace {

// Forms no rule set takes: the syntax every HOST:PORT shares.
constexpr const char* malformed[] = {
    "",                // nothing
    "8080",            // no host
    ":8080",           // empty host
    "127.0.0.1",       // no port
    "127.0.0.1:",      // empty port
    "127.0.0.1:65536", // above 16 bits
    "127.0.0.1:99999999999999999999",
    "127.0.0.1:-1",
    "127.0.0.1:+80",
    "127.0.0.1:80x",
    "127.0.0.1: 80",
    "127.0.0.1:0x50",
    "::1:80",         // IPv6 without brackets: which colon starts the port?
    "a:b:80",         // two colons
    "[::1]80",        // nothing between the bracket and the port
    "[::1]:",         // empty port
    "[::1",           // unclosed
    "[]:80",          // empty brackets
    "[zz::1]:80",     // not IPv6
    "[127.0.0.1]:80", // brackets hold IPv6 only
    "[localhost]:80", // ... not a name
};

struct Accepted {
    const char* text;
    const char* host;
    std::uint16_t port;
};

void check_accepted(const HostPortRules& rules, std::initializer_list<Accepted> cases) {
    for (const Accepted& c : cases) {
        INFO(c.text);
        const auto parsed = parse_host_port(c.text, rules);
        REQUIRE(parsed.has_value());
        CHECK(parsed->host == c.host);
        CHECK(parsed->port == c.port);
    }
}

/// `refused` and every malformed form are refused under `rules`.
void check_refused(const HostPortRules& rules, std::initializer_list<const char*> refused) {
    for (const char* text : refused) {
        INFO(text);
        CHECK_FALSE(parse_host_port(text, rules).has_value());
    }
    for (const char* text : malformed) {
        INFO(text);
        CHECK_FALSE(parse_host_port(text, rules).has_value());
    }
}

} // namespace

TEST_CASE("host:port for listening: an IP literal, any port including 0", "[host-port]") {
    check_accepted(listen_rules, {{"127.0.0.1:8080", "127.0.0.1", 8080},
                                  {"0.0.0.0:0", "0.0.0.0", 0},
                                  {"255.255.255.255:65535", "255.255.255.255", 65535},
                                  {"[::1]:9000", "::1", 9000},
                                  {"[::]:0", "::", 0},
                                  {"[::ffff:127.0.0.1]:80", "::ffff:127.0.0.1", 80},
                                  {"10.0.0.1:080", "10.0.0.1", 80}});
    // Nothing is resolved where a server listens: a name is refused, as is a near-IP.
    check_refused(listen_rules, {"localhost:80", "example.org:80", "300.1.1.1:80", "1.2.3:80",
                                 "1.2.3.4.5:80", "127.0.0.01:80"});
}

TEST_CASE("host:port for connecting: a host name or an IP literal, a port from 1", "[host-port]") {
    check_accepted(connect_rules, {{"127.0.0.1:8080", "127.0.0.1", 8080},
                                   {"localhost:1", "localhost", 1},
                                   {"example.org:65535", "example.org", 65535},
                                   {"relay-2.internal:8080", "relay-2.internal", 8080},
                                   {"[::1]:9000", "::1", 9000},
                                   {"[2001:db8::7]:443", "2001:db8::7", 443}});
    // Port 0 means "any free one": nothing listens there.
    check_refused(connect_rules, {"127.0.0.1:0", "localhost:0", "[::1]:0", "localhost",
                                  "localhost:", "localhost:65536"});
}

TEST_CASE("host:port is formatted back as it is parsed, IPv6 in brackets", "[host-port]") {
    CHECK(format_host_port({"::1", 80}) == "[::1]:80");
    CHECK(format_host_port({"localhost", 8080}) == "localhost:8080");
    CHECK(format_host_port({"0.0.0.0", 0}) == "0.0.0.0:0");
    for (const char* text : {"127.0.0.1:8080", "[::1]:9000", "[2001:db8::7]:443", "localhost:1"}) {
        INFO(text);
        const auto parsed = parse_host_port(text, connect_rules);
        REQUIRE(parsed.has_value());
        CHECK(format_host_port(*parsed) == text);
    }
}

TEST_CASE("host:port rules say what they expect, for the error messages", "[host-port]") {
    const std::string listen(listen_rules.description);
    const std::string connect(connect_rules.description);
    CHECK(listen.starts_with("HOST:PORT"));
    CHECK(listen.find("IP address") != std::string::npos);
    CHECK(listen.find("from 0 to 65535") != std::string::npos);
    CHECK(connect.starts_with("HOST:PORT"));
    CHECK(connect.find("host name") != std::string::npos);
    CHECK(connect.find("from 1 to 65535") != std::string::npos);
}
