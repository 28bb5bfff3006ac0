// switchboard-cli without IO: its arguments, its interactive commands, and how it shows IDs
// and messages.
#include "arguments.hpp"
#include "command.hpp"
#include "format.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::cli;
using namespace std::string_literals;

namespace {

Arguments parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"switchboard-cli"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_arguments(static_cast<int>(argv.size()), argv.data());
}

} // namespace

TEST_CASE("cli arguments: defaults, one-shot mode, and every option") {
    const Arguments defaults = parse({});
    REQUIRE(defaults.action == Arguments::Action::run);
    CHECK(defaults.options.server.host == "127.0.0.1");
    CHECK(defaults.options.server.port == 8080);
    CHECK_FALSE(defaults.options.one_shot());
    CHECK(defaults.options.timeout == std::chrono::seconds(5));

    const Arguments all = parse({"--connect", "[::1]:9000", "--to", "0xdeadbeef", "--message",
                                 "hi there", "--wait", "3", "--timeout", "250ms", "--hex"});
    REQUIRE(all.action == Arguments::Action::run);
    CHECK(all.options.server.host == "::1");
    CHECK(all.options.server.port == 9000);
    CHECK(all.options.to == 0xdeadbeefu);
    CHECK(all.options.message == "hi there");
    CHECK(all.options.wait == 3);
    CHECK(all.options.timeout == std::chrono::milliseconds(250));
    CHECK(all.options.hex);
    CHECK(all.options.one_shot());

    CHECK(parse({"--wait", "1"}).options.one_shot()); // waiting without sending
    CHECK(parse({"--to", "7", "--message", ""}).options.message == "");
    CHECK(parse({"--connect", "example.org:1"}).options.server.host == "example.org");
}

TEST_CASE("cli arguments: help and version exit 0, mistakes exit 2 naming the option") {
    const Arguments help = parse({"--help"});
    CHECK(help.action == Arguments::Action::print_and_exit);
    CHECK(help.exit_code == 0);
    CHECK(help.message.find("Usage: switchboard-cli") != std::string::npos);
    CHECK(help.message.find("--timeout") != std::string::npos);
    CHECK(parse({"--version"}).exit_code == 0);

    const std::vector<std::pair<std::vector<const char*>, std::string>> bad{
        {{"--connect", "127.0.0.1"}, "--connect: '127.0.0.1' is not"},
        {{"--connect", "127.0.0.1:0"}, "--connect: '127.0.0.1:0' is not"},
        {{"--connect", "127.0.0.1:65536"}, "--connect: '127.0.0.1:65536' is not"},
        {{"--to", "12"}, "--to needs --message"},
        {{"--message", "x"}, "--message needs --to"},
        {{"--to", "-1", "--message", "x"}, "--to: '-1' is not"},
        {{"--to", "4294967296", "--message", "x"}, "--to: '4294967296' is not"},
        {{"--to", "0xZZ", "--message", "x"}, "--to: '0xZZ' is not"},
        {{"--wait", "-1"}, "--wait: '-1' is not"},
        {{"--wait", "many"}, "--wait: 'many' is not"},
        {{"--timeout", "soon"}, "--timeout: 'soon' is not"},
        {{"--timeout", "0s"}, "--timeout: '0s' is not"},
        {{"--bogus"}, "bogus"},
        {{"stray"}, "positional"},
    };
    for (const auto& [args, expected] : bad) {
        std::vector<const char*> argv{"switchboard-cli"};
        argv.insert(argv.end(), args.begin(), args.end());
        const Arguments result = parse_arguments(static_cast<int>(argv.size()), argv.data());
        INFO(result.message);
        CHECK(result.action == Arguments::Action::print_and_exit);
        CHECK(result.exit_code == 2);
        CHECK(result.message.find(expected) != std::string::npos);
    }
}

TEST_CASE("cli commands: send keeps the text verbatim, then id, help, quit, and mistakes") {
    using namespace cli::command;
    const Command send = command::parse("send 42 hello  world ");
    REQUIRE(std::holds_alternative<Send>(send));
    CHECK(std::get<Send>(send).destination == 42);
    CHECK(std::get<Send>(send).text == "hello  world ");

    const Command hex = command::parse("  send\t0x2A x\r");
    REQUIRE(std::holds_alternative<Send>(hex));
    CHECK(std::get<Send>(hex).destination == 42);
    CHECK(std::get<Send>(hex).text == "x");
    CHECK(std::get<Send>(command::parse("send 1")).text.empty());

    CHECK(std::holds_alternative<ShowId>(command::parse("id")));
    CHECK(std::holds_alternative<Help>(command::parse(" help ")));
    CHECK(std::holds_alternative<Quit>(command::parse("quit")));
    CHECK(std::holds_alternative<Nothing>(command::parse("")));
    CHECK(std::holds_alternative<Nothing>(command::parse(" \t\r")));

    for (const char* line : {"send", "send x hi", "send 99999999999 hi", "id 3", "frobnicate"}) {
        const Command bad = command::parse(line);
        INFO(line);
        REQUIRE(std::holds_alternative<Invalid>(bad));
        CHECK_FALSE(std::get<Invalid>(bad).reason.empty());
    }
}

TEST_CASE("cli format: IDs, escaped text and hex") {
    CHECK(parse_peer_id("0") == 0u);
    CHECK(parse_peer_id("4294967295") == 0xFFFFFFFFu);
    CHECK(parse_peer_id("0XFF") == 255u);
    CHECK_FALSE(parse_peer_id(""));
    CHECK_FALSE(parse_peer_id("0x"));
    CHECK_FALSE(parse_peer_id(" 1"));
    CHECK(format_peer_id(0xdeadbeef) == "3735928559 (0xdeadbeef)");
    CHECK(format_peer_id(1) == "1 (0x00000001)");

    CHECK(escape_text("plain text") == "plain text");
    CHECK(escape_text("tab\there\nback\\slash\r\x01\xff"s) ==
          "tab\\there\\nback\\\\slash\\r\\x01\\xff");
    CHECK(to_hex("\x00\x7f\xff"s) == "00 7f ff");
    CHECK(to_hex("") == "");
    CHECK(format_received("hi\x02", false) == "received: hi\\x02");
    CHECK(format_received("hi", true) == "received: 68 69");
}
