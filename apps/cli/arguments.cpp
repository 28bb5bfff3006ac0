#include "arguments.hpp"

#include "format.hpp"
#include "option_reader.hpp"

namespace switchboard::cli {

namespace po = boost::program_options;

namespace {

constexpr std::string_view usage_head =
    "Usage: switchboard-cli [--connect HOST:PORT] [--hex]\n"
    "       switchboard-cli [--connect HOST:PORT] --to ID --message TEXT [--wait N]\n"
    "                       [--timeout DURATION] [--hex]\n"
    "\n"
    "A client for the switchboard relay. It connects and prints its own ID as\n"
    "'id DECIMAL (0xHEX)'; every message delivered to it is printed as 'received: TEXT'\n"
    "(non-printable bytes escaped as \\xNN, or all bytes in hex with --hex).\n"
    "\n"
    "Interactive mode (no --to, no --wait): reads commands from standard input, one per\n"
    "line, while printing messages as they arrive:\n"
    "  send DEST TEXT   send TEXT (the rest of the line) to DEST (decimal or 0x-hex)\n"
    "  id               print this client's ID\n"
    "  help             list the commands\n"
    "  quit             leave (so does end of input)\n"
    "\n"
    "One-shot mode, for scripts: with --to and --message, send one message; with --wait N,\n"
    "then print the next N messages; then leave. Exit codes: 0 done, 1 the server could not\n"
    "be reached, closed the connection or did not deliver N messages in time, 2 bad\n"
    "arguments.\n";

constexpr apps::Program program{"switchboard-cli", usage_head};

} // namespace

Arguments parse_arguments(int argc, const char* const* argv) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("connect", apps::text_value()->value_name("HOST:PORT"),
            "server to connect to: an IP address or a host name, and a port "
            "(default 127.0.0.1:8080; [::1]:8080 for IPv6)")
        ("to", apps::text_value()->value_name("ID"),
            "one-shot: the destination ID, decimal or 0x-hex (needs --message)")
        ("message", apps::text_value()->value_name("TEXT"),
            "one-shot: the message to send (needs --to)")
        ("wait", apps::text_value()->value_name("N"),
            "one-shot: then print the next N messages delivered to this client (default 0)")
        ("timeout", apps::text_value()->value_name("DURATION"),
            "how long connecting may take; in one-shot mode also sending, and waiting for "
            "all --wait messages; and, when leaving, waiting for the server to close: "
            "500ms, 5s, 1m (default 5s)")
        ("hex", "print delivered messages as hex bytes instead of text");
    // clang-format on

    po::variables_map values;
    if (auto exit = program.parse(argc, argv, options, values))
        return *exit;

    Arguments result;
    Options& o = result.options;
    apps::OptionReader read(values);
    read.host_port("connect", o.server, apps::connect_rules);
    read.parsed("to", o.to, parse_peer_id, "an ID (a 32-bit number, decimal or 0x-hex)");
    if (const std::string* message = read.text("message"))
        o.message = *message;
    read.number("wait", o.wait);
    read.duration("timeout", o.timeout, apps::Zero::refused);
    o.hex = read.given("hex");
    if (read.failed())
        return program.usage_error(read.error());
    if (o.to.has_value() != o.message.has_value())
        return program.usage_error(o.to ? "--to needs --message" : "--message needs --to");
    return result;
}

} // namespace switchboard::cli
