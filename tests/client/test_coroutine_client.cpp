// switchboard::Client, the coroutine API, against an in-process server. The test thread runs
// its own io_context for the client; every wait on it is bounded by io_timeout.
#include "closed_port.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <switchboard/client.hpp>
#include <switchboard/stats.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include <future>
#include <memory>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::test;
using namespace std::string_literals;
using namespace std::string_view_literals;
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds io_timeout{5};

/// Runs `io` until `future` is ready (at most io_timeout), then returns its value or throws
/// its exception. Other coroutines may stay pending on `io`.
template <typename T>
T wait(asio::io_context& io, std::future<T>& future) {
    const auto deadline = Clock::now() + io_timeout;
    io.restart();
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
        if (Clock::now() >= deadline)
            throw TestFailure("the client operation did not complete within 5 s");
        if (io.run_one_until(deadline) == 0 && io.stopped())
            throw TestFailure("the io_context ran out of work before the operation completed");
    }
    return future.get();
}

/// Runs one operation to completion (bounded) and returns its value or throws its exception.
template <typename T>
T run(asio::io_context& io, asio::awaitable<T> operation) {
    auto future = asio::co_spawn(io, std::move(operation), asio::use_future);
    return wait(io, future);
}

/// The error code a failed operation threw as system_error (fails if it did not throw one).
template <typename T>
boost::system::error_code error_of(asio::io_context& io, asio::awaitable<T> operation,
                                   std::string* what = nullptr) {
    try {
        run(io, std::move(operation));
    } catch (const boost::system::system_error& e) {
        if (what)
            *what = e.what();
        return e.code();
    }
    throw TestFailure("the operation succeeded; an error was expected");
}

asio::awaitable<void> send_numbered(Client& client, PeerId destination, int count) {
    for (int i = 0; i < count; ++i)
        co_await client.send(destination, "message " + std::to_string(i));
}

asio::awaitable<std::vector<std::string>> receive_n(Client& client, int count) {
    std::vector<std::string> messages;
    for (int i = 0; i < count; ++i)
        messages.push_back(co_await client.receive());
    co_return messages;
}

} // namespace

TEST_CASE("The coroutine client connects, learns its ID, and receives what it sends itself") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    CHECK_FALSE(client.is_open());
    CHECK(client.id() == 0);

    const PeerId id = run(io, client.connect("127.0.0.1", server.port()));
    CHECK(protocol::is_assignable(id));
    CHECK(client.id() == id);
    CHECK(client.is_open());

    run(io, client.send(id, "hello, me"));
    CHECK(run(io, client.receive()) == "hello, me");
    run(io, client.send(id, ""));
    CHECK(run(io, client.receive()).empty());
    CHECK(server.stats().frames_routed == 2);

    client.close();
    CHECK_FALSE(client.is_open());
    CHECK(client.id() == 0);
}

TEST_CASE("The coroutine client speaks the wire protocol with a raw socket client, by host name") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    // "localhost" may resolve to ::1 first, where nobody listens: every address is tried.
    const PeerId id = run(io, client.connect("localhost", server.port()));
    TestClient raw = server.connect("raw");
    const PeerId raw_id = raw.read_id();

    run(io, client.send(raw_id, "to raw"));
    CHECK(raw.read_exact(7) == "to raw\0"s); // one frame: header stripped, terminator kept

    raw.send_raw(frame(id, "one") + frame(id, "two") + frame(id, "three")); // one segment
    CHECK(run(io, client.receive()) == "one");
    CHECK(run(io, client.receive()) == "two");
    CHECK(run(io, client.receive()) == "three");
}

TEST_CASE("The coroutine client rejects a payload containing 0x00 before sending anything") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    const PeerId id = run(io, client.connect("127.0.0.1", server.port()));

    CHECK_THROWS_AS(run(io, client.send(id, "a\0b"sv)), std::invalid_argument);
    CHECK_THROWS_AS(run(io, client.send(id, "\0"sv)), std::invalid_argument);

    // A frame to ourselves comes back only after the server has read all we sent before it.
    run(io, client.send(id, "sync"));
    CHECK(run(io, client.receive()) == "sync");
    const Stats stats = server.stats();
    CHECK(stats.frames_routed == 1);
    CHECK(stats.bytes_routed == 5);
    CHECK(stats.frames_unknown_destination == 0);
    CHECK(stats.partial_frames_discarded == 0);
}

TEST_CASE("The coroutine client sends and receives a payload of the largest frame size") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    const PeerId id = run(io, client.connect("127.0.0.1", server.port()));
    // max_frame counts the 4-byte header and the terminator.
    const std::string payload = random_payload(server.config().max_frame - 5, 42);
    run(io, client.send(id, payload));
    const std::string received = run(io, client.receive());
    CHECK(received.size() == payload.size());
    CHECK(received == payload);
}

TEST_CASE("The coroutine client sends many small messages while the other side receives") {
    using namespace asio::experimental::awaitable_operators;
    constexpr int count = 20'000;
    TestServer server;
    asio::io_context io;
    Client sender(io.get_executor());
    Client receiver(io.get_executor());
    run(io, sender.connect("127.0.0.1", server.port()));
    const PeerId receiver_id = run(io, receiver.connect("127.0.0.1", server.port()));

    // One send and one receive in flight at a time on each client, both clients on one thread.
    const std::vector<std::string> messages =
        run(io, send_numbered(sender, receiver_id, count) && receive_n(receiver, count));
    REQUIRE(messages.size() == count);
    for (int i = 0; i < count; ++i)
        REQUIRE(messages[i] == "message " + std::to_string(i));
    CHECK(server.stats().frames_routed == count);
}

TEST_CASE("The coroutine client reports eof once the server has closed the connection") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    const PeerId id = run(io, client.connect("127.0.0.1", server.port()));
    TestClient raw = server.connect("raw");
    const PeerId raw_id = raw.read_id();
    raw.send_frame(id, "queued before the stop");
    raw.send_frame(raw_id, "sync");
    CHECK(raw.receive_payload() == "sync"); // so the server has routed the first frame

    // A graceful stop flushes what is queued, sends FIN, and waits (up to its drain deadline)
    // for each client to close in turn.
    server.request_stop();
    CHECK(run(io, client.receive()) == "queued before the stop");
    std::string what;
    CHECK(error_of(io, client.receive(), &what) == asio::error::eof);
    CHECK(what.find("switchboard::Client::receive") != std::string::npos);
    // Still eof, not a hang, when asked again.
    CHECK(error_of(io, client.receive()) == asio::error::eof);
    client.close();
    raw.expect_eof();
    raw.close();
    CHECK(server.stop(std::chrono::seconds(5)));
}

TEST_CASE("The coroutine client fails to connect with a clear error and stays closed") {
    asio::io_context io;
    Client client(io.get_executor());

    SECTION("nobody listens") {
        ClosedPort closed;
        std::string what;
        CHECK(error_of(io, client.connect("127.0.0.1", closed.port()), &what) ==
              asio::error::connection_refused);
        CHECK(what.find("127.0.0.1:" + std::to_string(closed.port())) != std::string::npos);
    }
    SECTION("the server is at its connection limit and closes at once") {
        Config config = test_config();
        config.max_connections = 1;
        TestServer server(config);
        TestClient first = server.connect("first");
        first.read_id();
        std::string what;
        CHECK(error_of(io, client.connect("127.0.0.1", server.port()), &what) == asio::error::eof);
        CHECK(what.find("connection limit") != std::string::npos);
    }
    CHECK_FALSE(client.is_open());
    CHECK(client.id() == 0);
}

TEST_CASE(
    "The coroutine client loses nothing to a cancelled receive, close aborts, reconnect works") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    const PeerId id = run(io, client.connect("127.0.0.1", server.port()));
    TestClient raw = server.connect("raw");
    raw.read_id();

    asio::cancellation_signal cancel;
    auto pending = asio::co_spawn(io, client.receive(),
                                  asio::bind_cancellation_slot(cancel.slot(), asio::use_future));
    io.restart();
    io.poll(); // now suspended in the read
    REQUIRE(pending.wait_for(std::chrono::seconds(0)) == std::future_status::timeout);
    cancel.emit(asio::cancellation_type::terminal);
    try {
        wait(io, pending);
        FAIL("the cancelled receive returned a message");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == asio::error::operation_aborted);
    }
    raw.send_frame(id, "after the cancel");
    CHECK(run(io, client.receive()) == "after the cancel");

    // close() aborts a pending receive; the client may then connect again.
    auto aborted = asio::co_spawn(io, client.receive(), asio::use_future);
    io.restart();
    io.poll();
    client.close();
    try {
        wait(io, aborted);
        FAIL("the receive survived close()");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == asio::error::operation_aborted);
    }
    const PeerId again = run(io, client.connect("127.0.0.1", server.port()));
    run(io, client.send(again, "again"));
    CHECK(run(io, client.receive()) == "again");
}

TEST_CASE("The coroutine client refuses a second receive in flight, and survives its destruction") {
    TestServer server;
    asio::io_context io;
    auto client = std::make_unique<Client>(io.get_executor());
    run(io, client->connect("127.0.0.1", server.port()));

    auto pending = asio::co_spawn(io, client->receive(), asio::use_future);
    io.restart();
    io.poll();
    CHECK_THROWS_AS(run(io, client->receive()), std::logic_error);
    CHECK_THROWS_AS(run(io, client->connect("127.0.0.1", server.port())), std::logic_error);

    // The pending receive shares the connection state: destroying the client aborts it safely.
    client.reset();
    try {
        wait(io, pending);
        FAIL("the receive survived the client");
    } catch (const boost::system::system_error& e) {
        CHECK(e.code() == asio::error::operation_aborted);
    }
}

TEST_CASE("The coroutine client half-closes: what it sent and what is queued arrive, then eof") {
    TestServer server;
    asio::io_context io;
    Client client(io.get_executor());
    const PeerId id = run(io, client.connect("127.0.0.1", server.port()));
    run(io, client.send(id, "sent just before leaving"));
    client.shutdown_send();
    CHECK(run(io, client.receive()) == "sent just before leaving");
    CHECK(error_of(io, client.receive()) == asio::error::eof);
    CHECK(server.wait_until([&] { return server.stats().connections_open == 0; }));
}
