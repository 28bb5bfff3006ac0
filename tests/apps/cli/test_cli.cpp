// switchboard-cli as a process (posix_spawn) against an in-process server: one-shot mode,
// interactive mode fed through a pipe, exit codes and messages. Bounded waits, no sleeps.
#include "child_process.hpp"
#include "closed_port.hpp"
#include "format.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <regex>
#include <string>

using namespace switchboard;
using namespace switchboard::test;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

const std::string cli_binary = SWITCHBOARD_CLI;

std::string address(const TestServer& server) {
    return "127.0.0.1:" + std::to_string(server.port());
}

/// The ID in the "id DECIMAL (0xHEX)" line the cli prints first.
PeerId read_cli_id(ChildProcess& child) {
    const std::string line = child.wait_for_line("id ");
    static const std::regex pattern(R"(^id (\d+) \(0x[0-9a-f]{8}\)$)");
    std::smatch match;
    if (!std::regex_match(line, match, pattern))
        throw TestFailure("unexpected id line '" + line + "'; " + child.transcript());
    const auto id = cli::parse_peer_id(match[1].str());
    if (!id)
        throw TestFailure("bad ID in '" + line + "'");
    return *id;
}

} // namespace

TEST_CASE("switchboard-cli sends one message in one-shot mode and exits 0") {
    TestServer server;
    TestClient receiver = server.connect("receiver");
    const PeerId receiver_id = receiver.read_id();

    const RunResult result =
        run_child(cli_binary, {"--connect", address(server), "--to", std::to_string(receiver_id),
                               "--message", "hello from the cli"});
    INFO("stdout: " << result.out << "stderr: " << result.err);
    CHECK(result.exit_code == 0);
    CHECK(std::regex_search(result.out, std::regex(R"(^id \d+ \(0x[0-9a-f]{8}\)\n$)")));
    CHECK(result.err.empty());
    CHECK(receiver.receive_payload() == "hello from the cli");
}

TEST_CASE("switchboard-cli one-shot mode waits for N messages and prints them, text or hex") {
    TestServer server;
    TestClient peer = server.connect("peer");
    const PeerId peer_id = peer.read_id();
    const bool hex = GENERATE(false, true);

    std::vector<std::string> args{"--connect", address(server),
                                  "--to",      std::to_string(peer_id),
                                  "--message", "ping",
                                  "--wait",    "2",
                                  "--timeout", "5s"};
    if (hex)
        args.push_back("--hex");
    ChildProcess child(cli_binary, args);
    const PeerId cli_id = read_cli_id(child);
    CHECK(peer.receive_payload() == "ping");
    peer.send_frame(cli_id, "pong\x01\\");
    peer.send_frame(cli_id, "");

    INFO(child.transcript());
    REQUIRE(child.wait_exit() == 0);
    if (hex)
        CHECK(child.out().find("received: 70 6f 6e 67 01 5c\nreceived: \n") != std::string::npos);
    else
        CHECK(child.out().find("received: pong\\x01\\\\\nreceived: \n") != std::string::npos);
}

TEST_CASE("switchboard-cli exits 1 when the awaited messages do not come in time") {
    TestServer server;
    const RunResult result =
        run_child(cli_binary, {"--connect", address(server), "--wait", "1", "--timeout", "200ms"});
    INFO("stdout: " << result.out << "stderr: " << result.err);
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("timed out after 200ms with 0 of 1 messages received") !=
          std::string::npos);
}

TEST_CASE("switchboard-cli exits 1 with a clear message when the server is unreachable") {
    ClosedPort closed;
    const std::string target = "127.0.0.1:" + std::to_string(closed.port());
    for (const bool one_shot : {true, false}) {
        std::vector<std::string> args{"--connect", target};
        if (one_shot)
            args.insert(args.end(), {"--to", "1", "--message", "x"});
        const RunResult result = run_child(cli_binary, args);
        INFO("one-shot: " << one_shot << " stdout: " << result.out << " stderr: " << result.err);
        CHECK(result.exit_code == 1);
        CHECK(result.err.find("cannot connect to " + target + ": Connection refused") !=
              std::string::npos);
        CHECK(result.out.empty());
    }
}

TEST_CASE("switchboard-cli exits 2 for bad arguments, and 0 for --help") {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {"--connect", "nowhere"},
             {"--to", "12"},
             {"--to", "x", "--message", "m"},
             {"--wait", "lots"},
             {"--no-such-option"},
         }) {
        const RunResult result = run_child(cli_binary, args);
        INFO(args.front() << " stderr: " << result.err);
        CHECK(result.exit_code == 2);
        CHECK(result.err.find("switchboard-cli: ") != std::string::npos);
        CHECK(result.err.find("--help") != std::string::npos);
        CHECK(result.out.empty());
    }
    const RunResult help = run_child(cli_binary, {"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage: switchboard-cli") != std::string::npos);
}

TEST_CASE("switchboard-cli interactive: commands from a pipe, messages printed as they arrive") {
    TestServer server;
    TestClient peer = server.connect("peer");
    const PeerId peer_id = peer.read_id();
    ChildProcess child(cli_binary, {"--connect", address(server)});
    const PeerId cli_id = read_cli_id(child);
    INFO(child.transcript());

    child.write_stdin("send " + std::to_string(peer_id) + " hello  there\n");
    CHECK(peer.receive_payload() == "hello  there");
    child.wait_for_line("sent 12 bytes to " + std::to_string(peer_id));

    // Arrives while the cli waits for its next command.
    peer.send_frame(cli_id, "a message\tfor the cli");
    CHECK(child.wait_for_line("received: ") == "received: a message\\tfor the cli");

    child.write_stdin("id\nhelp\nfrobnicate\nsend 0x" + [&] {
        char hex[9];
        std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned>(peer_id));
        return std::string(hex);
    }() + " by hex\n");
    CHECK(peer.receive_payload() == "by hex");
    child.wait_for_line("send DEST TEXT");

    child.write_stdin("quit\n");
    REQUIRE(child.wait_exit() == 0);
    // The `id` command prints the same line as the greeting.
    const std::string id_line = "id " + cli::format_peer_id(cli_id) + "\n";
    const auto first = child.out().find(id_line);
    REQUIRE(first != std::string::npos);
    CHECK(child.out().find(id_line, first + 1) != std::string::npos);
    CHECK(child.err().find("unknown command 'frobnicate'") != std::string::npos);
    // The cli left gracefully (FIN), and the server saw no error.
    CHECK(server.wait_until([&] { return server.stats().connections_open == 1; }));
    CHECK(server.stats().disconnects_error == 0);
}

TEST_CASE("switchboard-cli interactive: end of input leaves gracefully, after what was sent") {
    TestServer server;
    TestClient peer = server.connect("peer");
    const PeerId peer_id = peer.read_id();
    ChildProcess child(cli_binary, {"--connect", address(server)});
    const PeerId cli_id = read_cli_id(child);

    // The message to itself is printed before the cli leaves: the server flushes it first.
    child.write_stdin("send " + std::to_string(peer_id) + " bye\nsend " + std::to_string(cli_id) +
                      " to myself\n");
    child.close_stdin();
    INFO(child.transcript());
    REQUIRE(child.wait_exit() == 0);
    CHECK(peer.receive_payload() == "bye");
    CHECK(child.out().find("received: to myself\n") != std::string::npos);
}

TEST_CASE("switchboard-cli interactive: exits 1 when the server closes the connection") {
    TestServer server;
    ChildProcess child(cli_binary, {"--connect", address(server)});
    read_cli_id(child);
    REQUIRE(server.stop(5s));
    INFO(child.transcript());
    CHECK(child.wait_exit() == 1);
    CHECK(child.err().find("the server closed the connection") != std::string::npos);
}
