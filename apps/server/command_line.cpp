#include "command_line.hpp"

#include "option_reader.hpp"

#include <switchboard/log.hpp>

#include <string>

namespace switchboard::apps::server {

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

constexpr apps::Program program{"switchboard", usage_head};

} // namespace

CommandLine parse_command_line(int argc, const char* const* argv) {
    po::options_description options("Options");
    // clang-format off
    options.add_options()
        ("listen", apps::text_value()->value_name("HOST:PORT"),
            "address to listen on, an IP literal and a port (default 127.0.0.1:8080; "
            "port 0 picks a free one; [::1]:8080 for IPv6)")
        ("model", apps::text_value()->value_name("NAME"),
            "how connections share state: single-task (default: one thread, no locks), "
            "or a design it is compared with: mutex, channels (thread pools), race, reactor "
            "(one thread); see docs/patterns.md")
        ("threads", apps::text_value()->value_name("N"),
            "worker threads of the mutex and channels models (default: one per core)")
        ("max-frame", apps::text_value()->value_name("SIZE"),
            "longest frame, counting the 4-byte ID and the terminator; a sender that exceeds "
            "it is disconnected (default 1MiB)")
        ("max-connections", apps::text_value()->value_name("N"),
            "connections beyond this are accepted and closed at once (default 10000)")
        ("high-water", apps::text_value()->value_name("SIZE"),
            "a client's queue above this pauses the senders writing to it (default 4MiB)")
        ("low-water", apps::text_value()->value_name("SIZE"),
            "paused senders resume once the queue drains to this (default 1MiB)")
        ("slow-consumer-timeout", apps::text_value()->value_name("DURATION"),
            "a client with queued data whose socket accepts nothing for this long is "
            "disconnected (default 30s)")
        ("drain-timeout", apps::text_value()->value_name("DURATION"),
            "on stop, how long queued data may take to flush before it is dropped "
            "(default 5s)")
        ("error-notices",
            "answer a frame to an unknown ID with 0xFF \"Error: <reason>\" 0x00 (off by "
            "default: clients cannot tell a notice from a payload starting with 0xFF)")
        ("busy-poll", apps::text_value()->value_name("DURATION"),
            "after its last event the server thread keeps polling this long before it sleeps: "
            "under load it stays awake and answers sooner; idle, it sleeps (default 50us; 0 "
            "sleeps at once)")
        ("log-level", apps::text_value()->value_name("LEVEL"),
            "trace, debug, info, warning, error or off (default info); debug logs every "
            "connect and disconnect");
    // clang-format on

    po::variables_map values;
    if (auto exit = program.parse(argc, argv, options, values))
        return *exit;

    CommandLine result;
    Config& config = result.options.config;
    lab::Options& lab = result.options.lab;
    apps::OptionReader read(values);
    apps::HostPort listen{config.host, config.port};
    read.host_port("listen", listen, apps::listen_rules);
    config.host = listen.host;
    config.port = listen.port;
    read.parsed("model", lab.model, lab::parse_model,
                "one of single-task, mutex, channels, race, reactor");
    // 0 would mean "one per core", the default: given explicitly it is a mistake. The upper
    // bound is lab::Options::validate's.
    read.number("threads", lab.threads, 1);
    if (read.given("threads") && !lab::has_thread_pool(lab.model))
        read.fail("threads", "only the mutex and channels models run threads of their own; '" +
                                 std::string(lab::to_string(lab.model)) + "' runs on one");
    read.byte_size("max-frame", config.max_frame);
    read.number("max-connections", config.max_connections);
    read.byte_size("high-water", config.high_water);
    read.byte_size("low-water", config.low_water);
    read.duration("slow-consumer-timeout", config.slow_consumer_timeout, apps::Zero::refused);
    read.duration("drain-timeout", config.drain_timeout, apps::Zero::allowed);
    // A spin, not a timeout: more than a second of polling is a mistake.
    read.fine_duration("busy-poll", result.options.busy_poll, std::chrono::seconds(1));
    config.error_notices = read.given("error-notices");
    read.parsed("log-level", config.log_level, parse_log_level,
                "one of trace, debug, info, warning, error, off");
    if (read.failed())
        return program.usage_error(read.error());

    // A low-water mark above a lowered high-water mark is the user's mistake only if they
    // set it; otherwise follow the high-water mark down.
    if (read.given("high-water") && !read.given("low-water") &&
        config.low_water > config.high_water)
        config.low_water = config.high_water / 4;
    if (auto problem = config.validate())
        return program.usage_error(*problem);
    if (auto problem = lab.validate())
        return program.usage_error(*problem);
    return result;
}

} // namespace switchboard::apps::server
