#include "arguments.hpp"

#include <switchboard/units.hpp>
#include <switchboard/version.hpp>

#include <boost/program_options.hpp>

#include <charconv>
#include <sstream>

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

Arguments usage_error(const std::string& message) {
    Arguments result;
    result.action = Arguments::Action::print_and_exit;
    result.exit_code = 2;
    result.message = "switchboard-cli: " + message + "\nTry 'switchboard-cli --help' for more.";
    return result;
}

} // namespace

Arguments parse_arguments(int argc, const char* const* argv) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("connect", po::value<std::string>()->value_name("HOST:PORT"),
            "server to connect to: an IP address or a host name, and a port "
            "(default 127.0.0.1:8080; [::1]:8080 for IPv6)")
        ("to", po::value<std::string>()->value_name("ID"),
            "one-shot: the destination ID, decimal or 0x-hex (needs --message)")
        ("message", po::value<std::string>()->value_name("TEXT"),
            "one-shot: the message to send (needs --to)")
        ("wait", po::value<std::string>()->value_name("N"),
            "one-shot: then print the next N messages delivered to this client (default 0)")
        ("timeout", po::value<std::string>()->value_name("DURATION"),
            "how long connecting may take; in one-shot mode also sending, and waiting for "
            "all --wait messages; and, when leaving, waiting for the server to close: "
            "500ms, 5s, 1m (default 5s)")
        ("hex", "print delivered messages as hex bytes instead of text")
        ("version", "print the version and exit")
        ("help,h", "print this help and exit");
    // clang-format on

    po::variables_map vm;
    try {
        // No positional arguments: a stray word is an error, not silently ignored.
        const po::positional_options_description none;
        po::store(po::command_line_parser(argc, argv).options(options).positional(none).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }

    Arguments result;
    if (vm.count("help")) {
        std::ostringstream out;
        out << usage_head << "\n" << options;
        result.action = Arguments::Action::print_and_exit;
        result.message = out.str();
        return result;
    }
    if (vm.count("version")) {
        result.action = Arguments::Action::print_and_exit;
        result.message = std::string("switchboard-cli ") + version + " (protocol " +
                         std::to_string(protocol_version) + ")";
        return result;
    }

    Options& o = result.options;
    if (vm.count("connect")) {
        const auto& text = vm["connect"].as<std::string>();
        const auto address = parse_host_port(text);
        if (!address)
            return usage_error("--connect: '" + text +
                               "' is not HOST:PORT with a port from 1 to 65535 "
                               "(e.g. 127.0.0.1:8080)");
        o.server = *address;
    }
    if (vm.count("to")) {
        const auto& text = vm["to"].as<std::string>();
        o.to = parse_peer_id(text);
        if (!o.to)
            return usage_error("--to: '" + text +
                               "' is not an ID (a 32-bit number, decimal or 0x-hex)");
    }
    if (vm.count("message"))
        o.message = vm["message"].as<std::string>();
    if (o.to.has_value() != o.message.has_value())
        return usage_error(o.to ? "--to needs --message" : "--message needs --to");
    if (vm.count("wait")) {
        const auto& text = vm["wait"].as<std::string>();
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), o.wait);
        if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
            return usage_error("--wait: '" + text + "' is not a count of messages");
    }
    if (vm.count("timeout")) {
        const auto& text = vm["timeout"].as<std::string>();
        const auto timeout = parse_duration(text);
        if (!timeout || timeout->count() <= 0)
            return usage_error("--timeout: '" + text +
                               "' is not a positive duration (e.g. 500ms, 5s)");
        o.timeout = *timeout;
    }
    o.hex = vm.count("hex") != 0;
    return result;
}

} // namespace switchboard::cli
