// Connection lifecycle and limits: no leaked peers, graceful stop, max_connections and the
// slow-consumer rule.
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::test;
using namespace std::string_literals;

TEST_CASE("Once every client has left, however it left, no connection is counted open") {
    Config config = test_config();
    config.max_frame = 1024;
    TestServer server(config);

    TestClient closes = server.connect("closes");
    TestClient never_reads = server.connect("closes without reading its ID");
    TestClient resets = server.connect("resets");
    TestClient half_closes = server.connect("half-closes");
    TestClient mid_frame = server.connect("closes mid-frame");
    TestClient oversized = server.connect("sends an oversized frame");
    TestClient unread = server.connect("closes with frames unread");
    TestClient sender = server.connect("sends, then closes");
    constexpr std::size_t count = 8;
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == count; }));
    for (TestClient* c : {&closes, &resets, &half_closes, &mid_frame, &oversized, &unread, &sender})
        c->read_id();

    closes.close();
    never_reads.close(); // the unread ID makes this a reset
    resets.reset();
    half_closes.shutdown_write();
    half_closes.expect_eof();
    mid_frame.send_raw(frame(sender.id(), "never finished").substr(0, 9));
    mid_frame.close();
    oversized.send_raw(frame(sender.id(), "").substr(0, 4) + std::string(1020, 'x'));
    oversized.expect_closed_or_reset();
    sender.send_frame(unread.id(), "never read");
    sender.send_frame(sender.id(), "sync");
    CHECK(sender.receive_payload() == "sync");
    unread.close();
    sender.close();

    CHECK(server.wait_until([&] { return server.stats().connections_open == 0; }));
    const Stats stats = server.stats();
    CHECK(stats.connections_accepted == count);
    CHECK(stats.connections_closed == count);
    CHECK(stats.partial_frames_discarded == 1);
    CHECK(stats.disconnects_frame_too_large == 1);

    // The server is still in business.
    TestClient late = server.connect("late");
    const PeerId late_id = late.read_id();
    late.send_frame(late_id, "hello again");
    CHECK(late.receive_payload() == "hello again");
    CHECK(server.stats().connections_open == 1);
}

TEST_CASE("A graceful stop flushes what is queued, closes with EOF, and run() returns") {
    // A high-water mark above what is queued here: A is never paused.
    Config config = test_config();
    config.high_water = 64 * 1024 * 1024;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();

    // 12 MiB for B, which does not read yet: far more than the kernel's socket buffers take
    // (at most 4 MiB send + B's untouched 128 KiB receive buffer here), so most of it is
    // still in the server's queue when the stop begins.
    constexpr int frames = 384;
    auto payload = [](int i) { return "frame " + std::to_string(i) + std::string(32 * 1024, 'z'); };
    std::string wire;
    for (int i = 0; i < frames; ++i)
        wire += frame(b_id, payload(i));
    a.send_raw(wire);
    a.send_frame(a_id, "sync"); // back once A's frames above were all queued for B
    CHECK(a.receive_payload() == "sync");
    REQUIRE(server.stats().frames_routed == frames + 1);

    server.request_stop();
    for (int i = 0; i < frames; ++i) {
        const std::string received = b.receive_payload();
        if (received != payload(i))
            FAIL("frame " << i << ": received '" << received.substr(0, 20) << "...'");
    }
    b.expect_eof();
    a.expect_eof();
    // Clients close once they see EOF; a server may wait for that before it lets go.
    a.close();
    b.close();

    CHECK(server.stop(std::chrono::seconds(5))); // completion handler ran, run() returned
    CHECK(server.stop_completed());
    CHECK(server.run_returned());
    const Stats stats = server.stats();
    CHECK(stats.frames_dropped_on_close == 0);
    CHECK(stats.bytes_dropped_on_close == 0);
    CHECK(stats.connections_open == 0);
    CHECK(stats.disconnects_error == 0);

    // The listener is closed.
    CHECK_THROWS_AS(TestClient(server.port(), "after stop"), TestFailure);
}

TEST_CASE("Connections beyond max_connections are closed at once, and slots are reused") {
    Config config = test_config();
    config.max_connections = 3;
    TestServer server(config);
    std::vector<TestClient> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(server.connect("client " + std::to_string(i)));
        clients.back().read_id();
    }

    TestClient extra = server.connect("one too many");
    extra.expect_closed_or_reset(); // no ID
    REQUIRE(server.wait_until([&] { return server.stats().connections_refused == 1; }));
    CHECK(server.stats().connections_open == 3);

    clients.front().close();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 2; }));
    TestClient replacement = server.connect("replacement");
    const PeerId id = replacement.read_id();
    replacement.send_frame(id, "in");
    CHECK(replacement.receive_payload() == "in");
    const Stats stats = server.stats();
    CHECK(stats.connections_refused == 1);
    CHECK(stats.connections_open == 3);
}

TEST_CASE("A consumer that stops reading is disconnected and stalls nobody else") {
    Config config = test_config();
    config.slow_consumer_timeout = std::chrono::milliseconds(300);
    config.high_water = 64 * 1024;
    config.low_water = 16 * 1024;
    TestServer server(config);
    TestClient sender = server.connect("sender");
    TestClient stalled = server.connect("stalled");
    TestClient c = server.connect("C");
    TestClient d = server.connect("D");
    const PeerId sender_id = sender.read_id();
    const PeerId stalled_id = stalled.read_id();
    const PeerId c_id = c.read_id();
    const PeerId d_id = d.read_id();

    // Far more than the stalled client's socket buffers and queue hold: the sender is paused,
    // then resumes when the stalled client is disconnected (its later frames have no
    // destination any more).
    std::string wire;
    for (int i = 0; i < 256; ++i)
        wire += frame(stalled_id, std::string(32 * 1024, 's'));
    auto sending = std::async(std::launch::async, [&] { sender.send_raw(wire); });

    // Meanwhile other clients are not held up.
    c.send_frame(d_id, "unaffected");
    CHECK(d.receive_payload() == "unaffected");
    d.send_frame(c_id, "likewise");
    CHECK(c.receive_payload() == "likewise");

    REQUIRE(server.wait_until([&] { return server.stats().disconnects_slow_consumer == 1; }));
    sending.get();
    sender.send_frame(sender_id, "resumed");
    CHECK(sender.receive_payload() == "resumed");

    const Stats stats = server.stats();
    CHECK(stats.senders_paused >= 1);
    CHECK(stats.frames_dropped_on_close > 0);
    CHECK(stats.frames_routed + stats.frames_unknown_destination == 256 + 3);
    CHECK(server.wait_for_log("slow consumer"));
    stalled.reset();
}

TEST_CASE("A graceful stop drops what cannot be flushed by the drain deadline, and still ends") {
    Config config = test_config();
    config.high_water = 64 * 1024 * 1024;
    config.drain_timeout = std::chrono::milliseconds(300);
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B (never reads)");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();

    // More for B than the socket buffers take; B never reads it.
    std::string wire;
    for (int i = 0; i < 384; ++i)
        wire += frame(b_id, std::string(32 * 1024, 'd'));
    a.send_raw(wire);
    a.send_frame(a_id, "sync");
    CHECK(a.receive_payload() == "sync");

    const auto started = std::chrono::steady_clock::now();
    CHECK(server.stop(std::chrono::seconds(5)));
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= std::chrono::milliseconds(250)); // it did wait for the drain deadline
    CHECK(server.run_returned());
    a.expect_eof(); // A had nothing queued: closed cleanly

    const Stats stats = server.stats();
    CHECK(stats.frames_dropped_on_close > 0);
    CHECK(stats.bytes_dropped_on_close > 0);
    CHECK(stats.connections_open == 0);
    CHECK(server.wait_for_log("drain deadline passed"));
    b.reset();
}

TEST_CASE("A graceful stop delivers everything queued to a client that writes meanwhile") {
    // docs/protocol.md, Shutdown: flush what is queued to each client, then close cleanly (FIN,
    // not reset). A client cannot know that the server is stopping and may write at any
    // time; the server no longer reads it, but that input must not turn the close into a
    // reset, which would destroy the data still on its way to the client.
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();

    // 2 MiB for B, which does not read yet: little enough for the kernel's socket buffers
    // to take it all, so the server's queue for B empties at once when the stop begins.
    constexpr int frames = 64;
    auto payload = [](int i) { return "frame " + std::to_string(i) + std::string(32 * 1024, 'z'); };
    std::string wire;
    for (int i = 0; i < frames; ++i)
        wire += frame(b_id, payload(i));
    a.send_raw(wire);
    a.send_frame(a_id, "sync");
    CHECK(a.receive_payload() == "sync");

    server.request_stop();
    // Let the server finish flushing B's queue into the kernel. A server that closes as soon
    // as its queue is empty ends both sessions at once; one that lingers (reads until the
    // client's EOF before closing) keeps them open, and this bounded wait simply runs out.
    (void)server.wait_until([&] { return server.stats().connections_open == 0; },
                            std::chrono::milliseconds(500));

    // B, still reading its backlog, sends a frame, as any client may.
    b.send_frame(b_id, "written during the stop");
    for (int i = 0; i < frames; ++i) {
        INFO("B had received " << i << " of " << frames << " frames");
        const std::string received = b.receive_payload();
        if (received != payload(i))
            FAIL("frame " << i << ": received '" << received.substr(0, 20) << "...'");
    }
    b.expect_eof();
    b.close();
    a.close();
    CHECK(server.stop(std::chrono::seconds(5)));
    const Stats stats = server.stats();
    CHECK(stats.frames_dropped_on_close == 0);
    CHECK(stats.bytes_dropped_on_close == 0);
}

TEST_CASE("A graceful stop while a sender is paused ends, and delivers all that was routed") {
    Config config = test_config();
    config.high_water = 64 * 1024;
    config.low_water = 16 * 1024;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    a.read_id();
    const PeerId b_id = b.read_id();

    // Far more than B's queue and socket buffers take: A is paused until B reads.
    constexpr int frames = 256;
    auto payload = [](int i) { return "frame " + std::to_string(i) + std::string(32 * 1024, 'p'); };
    std::string wire;
    for (int i = 0; i < frames; ++i)
        wire += frame(b_id, payload(i));
    auto sending = std::async(std::launch::async, [&] {
        try {
            a.send_raw(wire);
        } catch (const TestFailure&) {
            // Expected: the server stops reading A and closes it before A is done.
        }
    });
    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }));

    server.request_stop();
    // B gets a prefix of A's frames, in order and whole, then EOF: what was routed, all of it.
    // The stream must end with a clean EOF exactly between two frames.
    int received = 0;
    for (std::string bytes; b.try_receive_payload(bytes); ++received) {
        REQUIRE(received < frames);
        if (bytes != payload(received))
            FAIL("frame " << received << ": received '" << bytes.substr(0, 20) << "...'");
    }
    sending.get();
    a.close();
    b.close();
    CHECK(server.stop(std::chrono::seconds(5)));
    const Stats stats = server.stats();
    CHECK(received > 0);
    CHECK(stats.frames_routed == static_cast<std::uint64_t>(received));
    CHECK(stats.frames_dropped_on_close == 0);
}
