#include "options.hpp"

#include <switchboard/config.hpp>
#include <switchboard/units.hpp>
#include <switchboard/version.hpp>

#include <boost/program_options.hpp>

#include <array>
#include <charconv>
#include <initializer_list>
#include <sstream>

namespace switchboard::bench {

namespace po = boost::program_options;
using namespace switchboard::literals;

namespace {

constexpr std::string_view usage_head =
    "Usage: switchboard-bench MODE [OPTIONS]\n"
    "\n"
    "Measures a server of the switchboard protocol (any implementation) at --connect.\n"
    "\n"
    "Modes:\n"
    "  throughput  --pairs sender->receiver pairs through the server, each with at most\n"
    "              --window messages in flight; messages/s and MB/s counted at the receivers\n"
    "              after --warmup, over --duration\n"
    "  latency     ping-pong between two clients, one message in flight; round-trip\n"
    "              p50/p90/p99/p99.9/max in microseconds (--direct: without a server)\n"
    "  idle        open --connections connections, each receiving its ID; connections/s\n"
    "              and, with --server-pid, the server's resident memory per connection\n"
    "  scaling     `idle`, then `throughput` while those connections stay open\n"
    "  direct      the throughput load with no server: each sender writes straight to its\n"
    "              receiver over loopback TCP; the ceiling for any relay on this machine\n"
    "\n"
    "Sizes take a unit (1KiB, 4M, 10kB; a bare number is bytes); durations too (500ms,\n"
    "5s, 2m; a bare number is seconds). MB/s counts payload bytes, 10^6 per MB.\n"
    "Exit status: 0 done, 1 the run failed (server unreachable, connection lost, messages\n"
    "not delivered), 2 bad arguments.\n";

struct Applies {
    const char* option;
    std::initializer_list<Mode> modes;
};

// Which options mean something in which mode; anything else is a usage error, so that a
// typo in a script cannot silently measure something else.
const std::array<Applies, 13> applicability{{
    {"connect", {Mode::throughput, Mode::latency, Mode::idle, Mode::scaling}},
    {"pairs", {Mode::throughput, Mode::scaling, Mode::direct}},
    {"size", {Mode::throughput, Mode::scaling, Mode::direct, Mode::latency}},
    {"window", {Mode::throughput, Mode::scaling, Mode::direct}},
    {"duration", {Mode::throughput, Mode::scaling, Mode::direct, Mode::latency}},
    {"warmup", {Mode::throughput, Mode::scaling, Mode::direct, Mode::latency}},
    {"count", {Mode::latency}},
    {"direct", {Mode::latency}},
    {"connections", {Mode::idle, Mode::scaling}},
    {"concurrency", {Mode::idle, Mode::scaling}},
    {"server-pid", {Mode::throughput, Mode::latency, Mode::idle, Mode::scaling}},
    {"threads", {Mode::throughput, Mode::scaling, Mode::direct, Mode::idle}},
    {"json", {Mode::throughput, Mode::latency, Mode::idle, Mode::scaling, Mode::direct}},
}};

CommandLine usage_error(const std::string& message) {
    CommandLine result;
    result.action = CommandLine::Action::print_and_exit;
    result.exit_code = 2;
    result.message = "switchboard-bench: " + message + "\nTry 'switchboard-bench --help' for more.";
    return result;
}

std::optional<Mode> parse_mode(std::string_view text) {
    for (Mode mode : {Mode::throughput, Mode::latency, Mode::idle, Mode::scaling, Mode::direct})
        if (text == to_string(mode))
            return mode;
    return std::nullopt;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

/// Reads option `name` into `out` if given; on a bad value sets `error` (first one wins).
class Reader {
public:
    explicit Reader(const po::variables_map& vm)
        : vm_(vm) {}

    const std::string* text(const char* name) const {
        return vm_.count(name) ? &vm_[name].as<std::string>() : nullptr;
    }

    template <typename T>
    void number(const char* name, T& out, std::uint64_t min, std::uint64_t max) {
        const std::string* value = text(name);
        if (!value)
            return;
        const auto n = parse_number(*value);
        if (!n || *n < min || *n > max)
            return fail(name, *value,
                        "a whole number from " + std::to_string(min) + " to " +
                            std::to_string(max));
        out = static_cast<T>(*n);
    }

    void size(const char* name, std::size_t& out, std::uint64_t max) {
        const std::string* value = text(name);
        if (!value)
            return;
        const auto n = parse_byte_size(*value);
        if (!n || *n > max)
            return fail(name, *value, "a byte size up to " + format_byte_size(max));
        out = static_cast<std::size_t>(*n);
    }

    void duration(const char* name, std::chrono::milliseconds& out, bool allow_zero) {
        const std::string* value = text(name);
        if (!value)
            return;
        const auto d = parse_duration(*value);
        if (!d || (!allow_zero && d->count() == 0))
            return fail(name, *value,
                        allow_zero ? "a duration (e.g. 1s)" : "a duration above 0 (e.g. 5s)");
        out = *d;
    }

    void fail(const char* name, const std::string& value, const std::string& expected) {
        if (error.empty())
            error = "--" + std::string(name) + ": '" + value + "' is not " + expected;
    }

    std::string error;

private:
    const po::variables_map& vm_;
};

bool parse_connect(std::string_view text, Options& options) {
    std::string_view host;
    std::string_view port;
    if (text.starts_with('[')) { // [v6]:port
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return false;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            return false;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    const auto number = parse_number(port);
    if (host.empty() || !number || *number == 0 || *number > 65535)
        return false;
    options.host = std::string(host);
    options.port = static_cast<std::uint16_t>(*number);
    return true;
}

} // namespace

std::string_view to_string(Mode mode) noexcept {
    switch (mode) {
    case Mode::throughput:
        return "throughput";
    case Mode::latency:
        return "latency";
    case Mode::idle:
        return "idle";
    case Mode::scaling:
        return "scaling";
    case Mode::direct:
        return "direct";
    }
    return "?";
}

std::string Options::target() const {
    if (!uses_server())
        return "direct";
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

CommandLine parse_command_line(int argc, const char* const* argv) {
    po::options_description options("Options");
    auto text = [] { return po::value<std::string>(); };
    // clang-format off
    options.add_options()
        ("connect", text()->value_name("HOST:PORT"),
            "the server to measure (default 127.0.0.1:8080); HOST is a name or an IP "
            "literal, [::1]:8080 for IPv6")
        ("pairs", text()->value_name("N"),
            "throughput, scaling, direct: sender->receiver pairs (default 1)")
        ("size", text()->value_name("SIZE"),
            "payload bytes per message, without the 0x00 terminator (default 16)")
        ("window", text()->value_name("N"),
            "throughput, scaling, direct: messages in flight per pair; a sender waits while "
            "its receiver has not counted this many of its messages (default 256)")
        ("duration", text()->value_name("DURATION"),
            "how long to measure, after the warm-up (default 5s)")
        ("warmup", text()->value_name("DURATION"),
            "load before measuring, not counted (default 1s)")
        ("count", text()->value_name("N"),
            "latency: measure this many round trips instead of running for --duration")
        ("direct",
            "latency: ping-pong over a loopback connection of the bench's own, no server "
            "(the ceiling for latency, as the `direct` mode is for throughput)")
        ("connections", text()->value_name("N"),
            "idle, scaling: connections to open and hold (default 1000; scaling also "
            "takes 0, for the baseline)")
        ("concurrency", text()->value_name("N"),
            "idle, scaling: connections being opened at the same time (default 64)")
        ("server-pid", text()->value_name("PID"),
            "throughput, latency, idle, scaling: the server's process; its resident memory "
            "(VmRSS), CPU time and time waiting for a CPU are read from /proc/PID")
        ("threads", text()->value_name("N"),
            "throughput, scaling, direct, idle: threads, each running its own io_context; "
            "pairs and connections are spread over them (default 1)")
        ("json", "print one JSON object (mode, parameters, results) instead of the summary")
        ("version", "print the version and exit")
        ("help,h", "print this help and exit");
    // clang-format on
    po::options_description hidden;
    hidden.add_options()("mode", text());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("mode", 1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
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
        result.message = std::string("switchboard-bench ") + version + " (protocol " +
                         std::to_string(protocol_version) + ")";
        return result;
    }
    if (!vm.count("mode"))
        return usage_error("no mode given (throughput, latency, idle, scaling or direct)");
    const auto& mode_text = vm["mode"].as<std::string>();
    const auto mode = parse_mode(mode_text);
    if (!mode)
        return usage_error("unknown mode '" + mode_text +
                           "' (throughput, latency, idle, scaling or direct)");

    Options& o = result.options;
    o.mode = *mode;
    for (const Applies& rule : applicability) {
        if (!vm.count(rule.option))
            continue;
        bool applies = false;
        for (Mode m : rule.modes)
            applies = applies || m == o.mode;
        if (!applies)
            return usage_error("--" + std::string(rule.option) + " does not apply to " +
                               std::string(to_string(o.mode)));
    }
    o.json = vm.count("json") != 0;
    o.direct = vm.count("direct") != 0;
    if (o.direct && vm.count("connect"))
        return usage_error("--connect and --direct exclude each other");

    Reader read(vm);
    if (const std::string* connect = read.text("connect"); connect && !parse_connect(*connect, o))
        read.fail("connect", *connect, "HOST:PORT with a port from 1 to 65535");
    read.number("pairs", o.pairs, 1, 10'000);
    read.size("size", o.size, 64_MiB);
    read.number("window", o.window, 1, 1'000'000);
    read.duration("duration", o.duration, false);
    read.duration("warmup", o.warmup, true);
    if (vm.count("count")) {
        std::uint64_t count = 0;
        read.number("count", count, 1, std::uint64_t{1} << 40);
        o.count = count;
    }
    read.number("connections", o.connections, o.mode == Mode::scaling ? 0 : 1, 1'000'000);
    read.number("concurrency", o.concurrency, 1, 100'000);
    if (vm.count("server-pid")) {
        int pid = 0;
        read.number("server-pid", pid, 1, 0x7fffffff);
        o.server_pid = pid;
    }
    read.number("threads", o.threads, 1, 256);
    if (!read.error.empty())
        return usage_error(read.error);
    return result;
}

} // namespace switchboard::bench
