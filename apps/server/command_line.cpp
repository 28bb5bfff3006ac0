#include "command_line.hpp"

#include <switchboard/units.hpp>
#include <switchboard/version.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/program_options.hpp>

#include <charconv>
#include <sstream>

namespace switchboard::app {

namespace po = boost::program_options;

namespace {

constexpr std::string_view usage_head =
    "Usage: switchboard [OPTIONS]\n"
    "\n"
    "A message relay server. Each client that connects gets a random 32-bit ID; a client\n"
    "sends frames [destination ID, 4 bytes big-endian][payload][0x00] and the server\n"
    "forwards the payload (with its 0x00) to the client holding that ID.\n"
    "\n"
    "Sizes take a unit: 512KiB, 1MiB, 4M (binary) or 10kB, 2MB (decimal); a bare number\n"
    "is bytes. Durations take a unit: 500ms, 30s, 2m; a bare number is seconds.\n"
    "SIGINT or SIGTERM stops gracefully (queued messages are flushed for at most\n"
    "--drain-timeout); a second signal stops at once.\n";

CommandLine usage_error(const std::string& message) {
    CommandLine result;
    result.action = CommandLine::Action::print_and_exit;
    result.exit_code = 2;
    result.message = "switchboard: " + message + "\nTry 'switchboard --help' for more.";
    return result;
}

std::optional<std::size_t> size_option(const po::variables_map& vm, const char* name,
                                       std::string& error) {
    if (!vm.count(name))
        return std::nullopt;
    const auto& text = vm[name].as<std::string>();
    const auto bytes = parse_byte_size(text);
    if (!bytes)
        error = "--" + std::string(name) + ": '" + text + "' is not a byte size (e.g. 1MiB)";
    return bytes;
}

std::optional<std::chrono::milliseconds> duration_option(const po::variables_map& vm,
                                                         const char* name, std::string& error) {
    if (!vm.count(name))
        return std::nullopt;
    const auto& text = vm[name].as<std::string>();
    const auto duration = parse_duration(text);
    if (!duration)
        error = "--" + std::string(name) + ": '" + text + "' is not a duration (e.g. 30s)";
    return duration;
}

} // namespace

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) { // [v6]:port
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || value > 65535)
        return std::nullopt;
    boost::system::error_code bad;
    boost::asio::ip::make_address(std::string(host), bad);
    if (host.empty() || bad)
        return std::nullopt;
    return ListenAddress{std::string(host), static_cast<std::uint16_t>(value)};
}

CommandLine parse_command_line(int argc, const char* const* argv) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("listen", po::value<std::string>()->value_name("HOST:PORT"),
            "address to listen on, an IP literal and a port (default 127.0.0.1:8080; "
            "port 0 picks a free one; [::1]:8080 for IPv6)")
        ("model", po::value<std::string>()->value_name("NAME"),
            "how connections share state: single-task (default: one thread, no locks), "
            "or a design it is compared with: mutex, channels (thread pools), race, reactor "
            "(one thread); see docs/patterns.md")
        ("threads", po::value<std::size_t>()->value_name("N"),
            "worker threads of the mutex and channels models (default: one per core)")
        ("max-frame", po::value<std::string>()->value_name("SIZE"),
            "longest frame, counting the 4-byte ID and the terminator; a sender that exceeds "
            "it is disconnected (default 1MiB)")
        ("max-connections", po::value<std::size_t>()->value_name("N"),
            "connections beyond this are accepted and closed at once (default 10000)")
        ("high-water", po::value<std::string>()->value_name("SIZE"),
            "a client's queue above this pauses the senders writing to it (default 4MiB)")
        ("low-water", po::value<std::string>()->value_name("SIZE"),
            "paused senders resume once the queue drains to this (default 1MiB)")
        ("slow-consumer-timeout", po::value<std::string>()->value_name("DURATION"),
            "a client with queued data whose socket accepts nothing for this long is "
            "disconnected (default 30s)")
        ("drain-timeout", po::value<std::string>()->value_name("DURATION"),
            "on stop, how long queued data may take to flush before it is dropped "
            "(default 5s)")
        ("error-notices",
            "answer a frame to an unknown ID with 0xFF \"Error: <reason>\" 0x00 (off by "
            "default: clients cannot tell a notice from a payload starting with 0xFF)")
        ("busy-poll", po::value<std::string>()->value_name("DURATION"),
            "after its last event the server thread keeps polling this long before it sleeps: "
            "under load it stays awake and answers sooner; idle, it sleeps (default 50us; 0 "
            "sleeps at once)")
        ("log-level", po::value<std::string>()->value_name("LEVEL"),
            "trace, debug, info, warning, error or off (default info); debug logs every "
            "connect and disconnect")
        ("version", "print the version and exit")
        ("help,h", "print this help and exit");
    // clang-format on

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(options).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }

    CommandLine result;
    if (vm.count("help")) {
        std::ostringstream out;
        out << usage_head << "\n" << options;
        result.action = CommandLine::Action::print_and_exit;
        result.message = out.str();
        return result;
    }
    if (vm.count("version")) {
        result.action = CommandLine::Action::print_and_exit;
        result.message = std::string("switchboard ") + version + " (protocol " +
                         std::to_string(protocol_version) + ")";
        return result;
    }

    Config& config = result.config;
    if (vm.count("listen")) {
        const auto& text = vm["listen"].as<std::string>();
        const auto address = parse_listen_address(text);
        if (!address)
            return usage_error("--listen: '" + text +
                               "' is not HOST:PORT with an IP address (e.g. 127.0.0.1:8080)");
        config.host = address->host;
        config.port = address->port;
    }
    lab::Options& lab = result.lab;
    if (vm.count("model")) {
        const auto& text = vm["model"].as<std::string>();
        const auto model = lab::parse_model(text);
        if (!model)
            return usage_error("--model: '" + text +
                               "' is not one of single-task, mutex, channels, race, reactor");
        lab.model = *model;
    }
    if (vm.count("threads")) {
        lab.threads = vm["threads"].as<std::size_t>();
        if (lab.threads == 0)
            return usage_error("--threads: must be at least 1");
        if (!lab::has_thread_pool(lab.model))
            return usage_error("--threads: only the mutex and channels models run threads of "
                               "their own; '" +
                               std::string(lab::to_string(lab.model)) + "' runs on one");
    }
    std::string error;
    if (auto v = size_option(vm, "max-frame", error))
        config.max_frame = *v;
    if (auto v = size_option(vm, "high-water", error))
        config.high_water = *v;
    if (auto v = size_option(vm, "low-water", error))
        config.low_water = *v;
    if (auto v = duration_option(vm, "slow-consumer-timeout", error))
        config.slow_consumer_timeout = *v;
    if (auto v = duration_option(vm, "drain-timeout", error))
        config.drain_timeout = *v;
    if (vm.count("busy-poll")) {
        const auto& text = vm["busy-poll"].as<std::string>();
        const auto spin = parse_fine_duration(text);
        if (!spin || *spin > std::chrono::seconds(1))
            return usage_error("--busy-poll: '" + text +
                               "' is not a duration of at most 1s (e.g. 50us, 0)");
        result.busy_poll = *spin;
    }
    if (!error.empty())
        return usage_error(error);
    if (vm.count("max-connections"))
        config.max_connections = vm["max-connections"].as<std::size_t>();
    config.error_notices = vm.count("error-notices") != 0;
    if (vm.count("log-level")) {
        const auto& text = vm["log-level"].as<std::string>();
        const auto level = parse_log_level(text);
        if (!level)
            return usage_error("--log-level: '" + text +
                               "' is not one of trace, debug, info, warning, error, off");
        config.log_level = *level;
    }
    // A low-water mark above a lowered high-water mark is the user's mistake only if they
    // set it; otherwise follow the high-water mark down.
    if (vm.count("high-water") && !vm.count("low-water") && config.low_water > config.high_water)
        config.low_water = config.high_water / 4;
    if (auto problem = config.validate())
        return usage_error(*problem);
    if (auto problem = lab.validate())
        return usage_error(*problem);
    return result;
}

} // namespace switchboard::app
