// switchboard::BlockingClient against an in-process server: the same exchanges as the
// coroutine client, plus the timeouts that bound every call. No Asio in this file.
#include "closed_port.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <switchboard/blocking_client.hpp>
#include <switchboard/stats.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include <string>

using namespace switchboard;
using namespace switchboard::literals;
using namespace switchboard::test;
using namespace std::chrono_literals;
using namespace std::string_literals;
using namespace std::string_view_literals;
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

/// The code of the system_error that `call` throws (fails the test if it throws none).
template <typename Call>
boost::system::error_code error_of(Call call) {
    try {
        call();
    } catch (const boost::system::system_error& e) {
        return e.code();
    }
    throw TestFailure("the call succeeded; an error was expected");
}

} // namespace

TEST_CASE("The blocking client connects, sends to itself and to a raw client, and receives") {
    TestServer server;
    BlockingClient client;
    CHECK_FALSE(client.is_open());
    const PeerId id = client.connect("127.0.0.1", server.port());
    CHECK(protocol::is_assignable(id));
    CHECK(client.id() == id);
    CHECK(client.is_open());

    client.send(id, "hello, me");
    CHECK(client.receive() == "hello, me");

    TestClient raw = server.connect("raw");
    const PeerId raw_id = raw.read_id();
    client.send(raw_id, "to raw");
    CHECK(raw.read_exact(7) == "to raw\0"s);
    raw.send_raw(frame(id, "one") + frame(id, "") + frame(id, "three"));
    CHECK(client.receive() == "one");
    CHECK(client.receive() == "");
    CHECK(client.receive() == "three");

    // Movable: the connection goes with it.
    BlockingClient moved = std::move(client);
    CHECK(moved.id() == id);
    moved.send(id, "still me");
    CHECK(moved.receive() == "still me");
}

TEST_CASE("The blocking client rejects a payload containing 0x00 before sending anything") {
    TestServer server;
    BlockingClient client;
    const PeerId id = client.connect("127.0.0.1", server.port());
    CHECK_THROWS_AS(client.send(id, "zero\0inside"sv), std::invalid_argument);
    client.send(id, "sync");
    CHECK(client.receive() == "sync");
    CHECK(server.stats().frames_routed == 1);
    CHECK(server.stats().partial_frames_discarded == 0);
}

TEST_CASE("The blocking client moves a payload of the largest frame size and many small ones") {
    TestServer server;
    BlockingClient client;
    const PeerId id = client.connect("127.0.0.1", server.port());

    const std::string big = random_payload(server.config().max_frame - 5, 9);
    client.send(id, big);
    CHECK(client.receive() == big);

    // 10,000 frames to itself (well under the high-water mark), then all of them back.
    constexpr int count = 10'000;
    for (int i = 0; i < count; ++i)
        client.send(id, std::to_string(i));
    for (int i = 0; i < count; ++i)
        REQUIRE(client.receive() == std::to_string(i));
    CHECK(server.stats().frames_routed == count + 1);
}

TEST_CASE("The blocking client's receive times out with nullopt, losing nothing") {
    TestServer server;
    BlockingClient client;
    const PeerId id = client.connect("127.0.0.1", server.port());

    const auto start = Clock::now();
    CHECK_FALSE(client.receive(100ms).has_value());
    const auto waited = Clock::now() - start;
    CHECK(waited >= 100ms);
    CHECK(waited < 3s);

    CHECK(client.is_open());
    TestClient raw = server.connect("raw");
    raw.read_id();
    raw.send_frame(id, "late");
    CHECK(client.receive(5s) == "late");
}

TEST_CASE("The blocking client's send times out when the server holds it back, and closes") {
    // A destination that never reads, and a small high-water mark: the server stops reading
    // from the sender, the kernel buffers fill, and send() must give up at its timeout.
    Config config = test_config();
    config.high_water = 64_KiB;
    config.low_water = 16_KiB;
    config.drain_timeout = 1s; // what is queued to `idle` can never be flushed
    TestServer server(config);
    TestClient idle = server.connect("idle");
    const PeerId idle_id = idle.read_id();

    BlockingClient client;
    client.connect("127.0.0.1", server.port());
    const std::string chunk = random_payload(256_KiB, 3);
    boost::system::error_code ec;
    int sent = 0;
    const auto start = Clock::now();
    for (; sent < 1'000 && !ec; ++sent) // at most 256 MiB; a few tens of MiB fill the buffers
        ec = [&] {
            try {
                client.send(idle_id, chunk, 300ms);
                return boost::system::error_code{};
            } catch (const boost::system::system_error& e) {
                return e.code();
            }
        }();
    INFO("frames sent before the timeout: " << sent);
    CHECK(ec == asio::error::timed_out);
    CHECK(Clock::now() - start < 20s);
    CHECK_FALSE(client.is_open()); // part of a frame may have gone out: closed
}

TEST_CASE("The blocking client reports eof after the server closes, and refused connections") {
    SECTION("the server stops") {
        TestServer server;
        BlockingClient client;
        const PeerId id = client.connect("127.0.0.1", server.port());
        client.send(id, "before the stop");
        CHECK(client.receive() == "before the stop");
        server.request_stop(); // flushes, sends FIN, waits for the client to close
        CHECK(error_of([&] { client.receive(); }) == asio::error::eof);
        client.close();
        CHECK(server.stop(5s));
    }
    SECTION("nobody listens") {
        ClosedPort closed;
        BlockingClient client;
        CHECK(error_of([&] { client.connect("127.0.0.1", closed.port()); }) ==
              asio::error::connection_refused);
        CHECK_FALSE(client.is_open());
    }
    SECTION("the server is at its connection limit") {
        Config config = test_config();
        config.max_connections = 1;
        TestServer server(config);
        BlockingClient first;
        first.connect("127.0.0.1", server.port());
        BlockingClient second;
        CHECK(error_of([&] { second.connect("127.0.0.1", server.port()); }) == asio::error::eof);
    }
}

TEST_CASE("The blocking client half-closes and reads what is left, then eof") {
    TestServer server;
    BlockingClient client;
    const PeerId id = client.connect("127.0.0.1", server.port());
    client.send(id, "last words");
    client.shutdown_send();
    CHECK(client.receive() == "last words");
    CHECK(error_of([&] { client.receive(); }) == asio::error::eof);
    CHECK_THROWS_AS(client.connect("127.0.0.1", server.port()), std::logic_error);
    client.close();
    CHECK(protocol::is_assignable(client.connect("127.0.0.1", server.port())));
}
