// End-to-end tests of the `switchboard` command-line server: the real binary, real signals.
#include "server_process.hpp"
#include "test_client.hpp"

#include <switchboard/version.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using namespace switchboard::test;
using namespace std::chrono_literals;

namespace {

const std::string binary = SWITCHBOARD_BINARY;

/// Blocks until every frame `client` sent before now has been read and routed by the server:
/// frames from one sender are handled in order, so once a frame to itself comes back, all
/// earlier ones were routed.
void sync_through_server(TestClient& client) {
    client.send_frame(client.id(), "sync");
    REQUIRE(client.receive_payload() == "sync");
}

} // namespace

TEST_CASE("the binary relays the original round trip between two clients", "[binary]") {
    ServerProcess server(binary, {"--log-level", "debug"});
    TestClient a(server.port(), "a");
    TestClient b(server.port(), "b");
    a.read_id();
    b.read_id();
    a.send_frame(b.id(), "hello");
    CHECK(b.receive_payload() == "hello");
    b.send_frame(a.id(), "hello back");
    CHECK(a.receive_payload() == "hello back");

    server.signal(SIGTERM);
    a.expect_eof();
    b.expect_eof();
    a.close();
    b.close();
    CHECK(server.wait_exit(10s) == 0);
    CHECK(server.log().find("connected 127.0.0.1:") != std::string::npos);
}

TEST_CASE("on SIGTERM the binary flushes queued frames to a late reader, closes, and exits 0",
          "[binary]") {
    ServerProcess server(binary, {});
    TestClient sender(server.port(), "sender");
    TestClient reader(server.port(), "reader");
    sender.read_id();
    reader.read_id();
    constexpr int count = 1000;
    std::string burst;
    for (int i = 0; i < count; ++i)
        burst += frame(reader.id(), "message " + std::to_string(i));
    sender.send_raw(burst);
    sync_through_server(sender); // all 1000 are queued to the reader, which has read nothing

    server.signal(SIGTERM);
    for (int i = 0; i < count; ++i)
        REQUIRE(reader.receive_payload() == "message " + std::to_string(i));
    reader.expect_eof(); // FIN after the flush, not a reset
    sender.expect_eof();
    // Like any client on EOF, close: the server lingers until then (see architecture.md).
    reader.close();
    sender.close();
    CHECK(server.wait_exit(10s) == 0);
    // The exit summary counts the 1000 frames and the sync frame, and no loss.
    CHECK(server.log().find("frames_routed=1001 ") != std::string::npos);
    CHECK(server.log().find("frames_dropped_on_close=0 ") != std::string::npos);
}

TEST_CASE("a second signal stops the binary at once, without waiting for the drain", "[binary]") {
    // The drain deadline is far away and the reader never reads, so only the second signal
    // can end the process within the test's time limit.
    ServerProcess server(binary, {"--drain-timeout", "10m", "--high-water", "64MiB"});
    TestClient sender(server.port(), "sender");
    TestClient reader(server.port(), "reader");
    sender.read_id();
    reader.read_id();
    const std::string chunk = frame(reader.id(), random_payload(64 * 1024, 7));
    for (int i = 0; i < 128; ++i) // 8 MiB: more than the socket buffers hold
        sender.send_raw(chunk);
    sync_through_server(sender);

    server.signal(SIGTERM);
    server.wait_for_log("flushing 2 connection(s)", 10s); // draining, stuck on the reader
    server.signal(SIGTERM);
    CHECK(server.wait_exit(10s) == 0);
    CHECK(server.log().find("second signal") != std::string::npos);
    CHECK(server.log().find("dropping") != std::string::npos);
}

TEST_CASE("the binary refuses bad arguments with a message and exit code 2", "[binary]") {
    struct Case {
        std::vector<std::string> args;
        std::string mentions;
    };
    const Case cases[] = {
        {{"--listen", "localhost"}, "--listen"},
        {{"--listen", "example.com:80"}, "--listen"},
        {{"--max-frame", "lots"}, "--max-frame"},
        {{"--max-frame", "3"}, "at least 5 bytes"},
        {{"--low-water", "8MiB"}, "low-water"},
        {{"--max-connections", "0"}, "connections"},
        {{"--slow-consumer-timeout", "soon"}, "--slow-consumer-timeout"},
        {{"--log-level", "loud"}, "--log-level"},
        {{"--no-such-option"}, "no-such-option"},
    };
    for (const auto& c : cases) {
        INFO("arguments: " << c.args.front() << (c.args.size() > 1 ? " " + c.args[1] : ""));
        const RunResult result = run_to_completion(binary, c.args);
        CHECK(result.exit_code == 2);
        CHECK(result.output.find(c.mentions) != std::string::npos);
    }
}

TEST_CASE("the binary explains itself with --help and --version", "[binary]") {
    const RunResult help = run_to_completion(binary, {"--help"});
    CHECK(help.exit_code == 0);
    for (const char* option :
         {"--listen", "--max-frame", "--high-water", "--low-water", "--slow-consumer-timeout",
          "--drain-timeout", "--max-connections", "--error-notices", "--log-level"})
        CHECK(help.output.find(option) != std::string::npos);

    const RunResult version = run_to_completion(binary, {"--version"});
    CHECK(version.exit_code == 0);
    CHECK(version.output.find(switchboard::version) != std::string::npos);
}
