// The command line's parsing, without running the binary.
#include "command_line.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace switchboard;
using namespace switchboard::apps::server;
using namespace std::chrono_literals;

namespace {

CommandLine parse(std::vector<const char*> args) {
    args.insert(args.begin(), "switchboard");
    return parse_command_line(static_cast<int>(args.size()), args.data());
}

} // namespace

// Every form of HOST:PORT is tested with the parser (tests/apps/common); here, that --listen
// takes the listen rules: an IP literal, and port 0.
TEST_CASE("the command line's --listen takes an IP literal and a port, 0 for a free one",
          "[command-line]") {
    const CommandLine any_port = parse({"--listen", "0.0.0.0:0"});
    REQUIRE(any_port.action == CommandLine::Action::run);
    CHECK(any_port.options.config.host == "0.0.0.0");
    CHECK(any_port.options.config.port == 0);
    for (const char* bad : {"localhost:80", "127.0.0.1", "[::1]:65536"}) {
        const CommandLine refused = parse({"--listen", bad});
        INFO(refused.message);
        CHECK(refused.exit_code == 2);
        CHECK(refused.message.find("--listen: '" + std::string(bad) + "' is not") !=
              std::string::npos);
    }
}

TEST_CASE("no arguments give the documented defaults", "[command-line]") {
    const CommandLine result = parse({});
    REQUIRE(result.action == CommandLine::Action::run);
    const Config& c = result.options.config;
    CHECK(c.host == "127.0.0.1");
    CHECK(c.port == 8080);
    CHECK(c.max_frame == 1024 * 1024);
    CHECK(c.high_water == 4 * 1024 * 1024);
    CHECK(c.low_water == 1024 * 1024);
    CHECK(c.slow_consumer_timeout == 30s);
    CHECK(c.drain_timeout == 5s);
    CHECK(c.max_connections == 10000);
    CHECK_FALSE(c.error_notices);
    CHECK(c.log_level == LogLevel::info);
}

TEST_CASE("every option reaches the config", "[command-line]") {
    const CommandLine result =
        parse({"--listen", "[::1]:7000", "--max-frame", "64KiB", "--max-connections", "50",
               "--high-water", "2MiB", "--low-water", "512KiB", "--slow-consumer-timeout", "1500ms",
               "--drain-timeout", "2s", "--error-notices", "--log-level", "debug"});
    REQUIRE(result.action == CommandLine::Action::run);
    const Config& c = result.options.config;
    CHECK(c.host == "::1");
    CHECK(c.port == 7000);
    CHECK(c.max_frame == 64 * 1024);
    CHECK(c.max_connections == 50);
    CHECK(c.high_water == 2 * 1024 * 1024);
    CHECK(c.low_water == 512 * 1024);
    CHECK(c.slow_consumer_timeout == 1500ms);
    CHECK(c.drain_timeout == 2s);
    CHECK(c.error_notices);
    CHECK(c.log_level == LogLevel::debug);
}

TEST_CASE("lowering only the high-water mark brings the default low-water mark down",
          "[command-line]") {
    const CommandLine result = parse({"--high-water", "256KiB"});
    REQUIRE(result.action == CommandLine::Action::run);
    CHECK(result.options.config.low_water <= result.options.config.high_water);
    // ... but an explicit inconsistent pair is the user's mistake and is refused.
    const CommandLine refused = parse({"--high-water", "256KiB", "--low-water", "1MiB"});
    CHECK(refused.action == CommandLine::Action::print_and_exit);
    CHECK(refused.exit_code == 2);
}

TEST_CASE("help and version print and exit 0, bad input prints and exits 2", "[command-line]") {
    CHECK(parse({"--help"}).exit_code == 0);
    CHECK(parse({"--help"}).message.find("--slow-consumer-timeout") != std::string::npos);
    CHECK(parse({"--version"}).exit_code == 0);
    const CommandLine bad = parse({"--max-frame"});
    CHECK(bad.action == CommandLine::Action::print_and_exit);
    CHECK(bad.exit_code == 2);
    CHECK(bad.message.find("max-frame") != std::string::npos);
    // A stray word is a mistake (a port without --listen, say), not silently ignored.
    const CommandLine stray = parse({"8080"});
    CHECK(stray.action == CommandLine::Action::print_and_exit);
    CHECK(stray.exit_code == 2);
    CHECK(stray.message.find("positional") != std::string::npos);
}

TEST_CASE("the model option picks the design, --threads sizes the pools of the threaded ones",
          "[command-line]") {
    using lab::Model;
    CHECK(parse({}).options.lab.model == Model::single_task);
    for (const auto& [name, model] :
         {std::pair{"single-task", Model::single_task}, std::pair{"mutex", Model::mutex},
          std::pair{"channels", Model::channels}, std::pair{"race", Model::race},
          std::pair{"reactor", Model::reactor}}) {
        const CommandLine result = parse({"--model", name});
        REQUIRE(result.action == CommandLine::Action::run);
        CHECK(result.options.lab.model == model);
        CHECK(lab::to_string(model) == name);
    }
    const CommandLine threaded = parse({"--model", "mutex", "--threads", "3"});
    REQUIRE(threaded.action == CommandLine::Action::run);
    CHECK(threaded.options.lab.threads == 3u);

    auto refused = [](std::vector<const char*> args, const char* named) {
        const CommandLine result = parse(std::move(args));
        return result.action == CommandLine::Action::print_and_exit && result.exit_code == 2 &&
               result.message.find(named) != std::string::npos;
    };
    CHECK(refused({"--model", "actors"}, "--model: 'actors'"));
    CHECK(refused({"--model", "channels", "--threads", "0"}, "--threads"));
    CHECK(refused({"--threads", "2"}, "single-task")); // one thread by design
    CHECK(refused({"--model", "race", "--threads", "2"}, "race"));
}

TEST_CASE("the busy-poll option takes a duration to the microsecond, 50us by default",
          "[command-line]") {
    CHECK(parse({}).options.busy_poll == std::chrono::microseconds(50));
    CHECK(parse({"--busy-poll", "200us"}).options.busy_poll == std::chrono::microseconds(200));
    CHECK(parse({"--busy-poll", "2ms"}).options.busy_poll == std::chrono::microseconds(2000));
    CHECK(parse({"--busy-poll", "0"}).options.busy_poll == std::chrono::microseconds(0));
    const CommandLine bad = parse({"--busy-poll", "forever"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.message.find("--busy-poll") != std::string::npos);
    CHECK(parse({"--busy-poll", "2s"}).exit_code == 2); // a spin, not a timeout
}
