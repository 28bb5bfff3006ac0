#include "options.hpp"

#include "option_reader.hpp"

#include <switchboard/units.hpp>

#include <array>
#include <initializer_list>

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

constexpr apps::Program program{"switchboard-bench", usage_head};

std::optional<Mode> parse_mode(std::string_view text) {
    for (Mode mode : {Mode::throughput, Mode::latency, Mode::idle, Mode::scaling, Mode::direct})
        if (text == to_string(mode))
            return mode;
    return std::nullopt;
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
    return apps::format_host_port(server);
}

CommandLine parse_command_line(int argc, const char* const* argv) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("connect", apps::text_value()->value_name("HOST:PORT"),
            "the server to measure (default 127.0.0.1:8080); HOST is a name or an IP "
            "literal, [::1]:8080 for IPv6")
        ("pairs", apps::text_value()->value_name("N"),
            "throughput, scaling, direct: sender->receiver pairs (default 1)")
        ("size", apps::text_value()->value_name("SIZE"),
            "payload bytes per message, without the 0x00 terminator (default 16)")
        ("window", apps::text_value()->value_name("N"),
            "throughput, scaling, direct: messages in flight per pair; a sender waits while "
            "its receiver has not counted this many of its messages (default 256)")
        ("duration", apps::text_value()->value_name("DURATION"),
            "how long to measure, after the warm-up (default 5s)")
        ("warmup", apps::text_value()->value_name("DURATION"),
            "load before measuring, not counted (default 1s)")
        ("count", apps::text_value()->value_name("N"),
            "latency: measure this many round trips instead of running for --duration")
        ("direct",
            "latency: ping-pong over a loopback connection of the bench's own, no server "
            "(the ceiling for latency, as the `direct` mode is for throughput)")
        ("connections", apps::text_value()->value_name("N"),
            "idle, scaling: connections to open and hold (default 1000; scaling also "
            "takes 0, for the baseline)")
        ("concurrency", apps::text_value()->value_name("N"),
            "idle, scaling: connections being opened at the same time (default 64)")
        ("server-pid", apps::text_value()->value_name("PID"),
            "throughput, latency, idle, scaling: the server's process; its resident memory "
            "(VmRSS), CPU time and time waiting for a CPU are read from /proc/PID")
        ("threads", apps::text_value()->value_name("N"),
            "throughput, scaling, direct, idle: threads, each running its own io_context; "
            "pairs and connections are spread over them (default 1)")
        ("json", "print one JSON object (mode, parameters, results) instead of the summary");
    // clang-format on
    po::options_description hidden;
    hidden.add_options()("mode", apps::text_value());
    po::positional_options_description positional;
    positional.add("mode", 1);

    po::variables_map values;
    if (auto exit = program.parse(argc, argv, options, values, hidden, positional))
        return *exit;
    apps::OptionReader read(values);
    const std::string* mode_text = read.text("mode");
    if (!mode_text)
        return program.usage_error("no mode given (throughput, latency, idle, scaling or direct)");
    const auto mode = parse_mode(*mode_text);
    if (!mode)
        return program.usage_error("unknown mode '" + *mode_text +
                                   "' (throughput, latency, idle, scaling or direct)");

    CommandLine result;
    Options& o = result.options;
    o.mode = *mode;
    for (const Applies& rule : applicability) {
        if (!read.given(rule.option))
            continue;
        bool applies = false;
        for (Mode m : rule.modes)
            applies = applies || m == o.mode;
        if (!applies)
            return program.usage_error("--" + std::string(rule.option) + " does not apply to " +
                                       std::string(to_string(o.mode)));
    }
    o.json = read.given("json");
    o.direct = read.given("direct");
    if (o.direct && read.given("connect"))
        return program.usage_error("--connect and --direct exclude each other");

    read.host_port("connect", o.server, apps::connect_rules);
    read.number("pairs", o.pairs, 1, 10'000);
    read.byte_size("size", o.size, 64_MiB);
    read.number("window", o.window, 1, 1'000'000);
    read.duration("duration", o.duration, apps::Zero::refused);
    read.duration("warmup", o.warmup, apps::Zero::allowed);
    read.number("count", o.count, 1, std::uint64_t{1} << 40);
    read.number("connections", o.connections, o.mode == Mode::scaling ? 0 : 1, 1'000'000);
    read.number("concurrency", o.concurrency, 1, 100'000);
    read.number("server-pid", o.server_pid, 1, 0x7fffffff);
    read.number("threads", o.threads, 1, 256);
    if (read.failed())
        return program.usage_error(read.error());
    return result;
}

} // namespace switchboard::bench
