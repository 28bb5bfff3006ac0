// Backpressure (docs/protocol.md, "Guarantees" and "Bad input and limits"): a destination above
// its high-water mark pauses the senders writing to it, never drops a frame, and never
// stalls anybody else; a paused sender is paused as a whole.
#include "reliability_support.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::literals;
using namespace switchboard::test;
using namespace switchboard::reliability;
using namespace std::chrono_literals;

TEST_CASE("A consumer that never reads holds back its sender but not 1000 ping-pongs of others") {
    TestServer server; // default limits: 4 MiB high water, 30 s slow-consumer timeout
    TestClient a = server.connect("A (floods B)");
    TestClient b = server.connect("B (never reads)");
    TestClient c = server.connect("C");
    TestClient d = server.connect("D");
    a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId c_id = c.read_id();
    const PeerId d_id = d.read_id();

    // 64 MiB for B: far beyond its queue's high-water mark and every socket buffer on the way,
    // so A blocks in send() until B leaves.
    constexpr std::size_t flood_bytes = 64_MiB;
    constexpr std::size_t frame_size = 256_KiB;
    std::atomic<bool> stop_flood{false};
    a.set_timeout(30s);
    Worker flood("A",
                 [&] { send_numbered_frames(a, b_id, "B", frame_size, flood_bytes, stop_flood); });
    // However the test ends: stop A after its current frame and reset B. The server then frees
    // B's queue and resumes A, whose rest has no destination any more, so A's thread ends.
    ScopeExit unblock([&] {
        stop_flood = true;
        b.reset();
    });

    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }, 10s));

    // Every exchange must be prompt: a 2 s stall anywhere fails the test.
    c.set_timeout(2s);
    d.set_timeout(2s);
    const auto took = time_of([&] {
        for (int i = 0; i < 1000; ++i) {
            const std::string ping = "ping " + std::to_string(i);
            const std::string pong = "pong " + std::to_string(i);
            c.send_frame(d_id, ping);
            REQUIRE(d.receive_payload() == ping);
            d.send_frame(c_id, pong);
            REQUIRE(c.receive_payload() == pong);
        }
    });
    INFO("1000 ping-pongs took " << took.count() << " ms");
    CHECK(took < 5s);

    // B was stalled the whole time: A is still held back, B still connected.
    const Stats during = server.stats();
    CHECK_FALSE(flood.finished());
    CHECK(during.bytes_routed < flood_bytes);
    CHECK(during.disconnects_slow_consumer == 0);
    CHECK(during.connections_open == 4);
    CHECK(during.senders_paused > 0);
    c.expect_nothing_pending();
    d.expect_nothing_pending();

    stop_flood = true;
    b.reset();
    flood.join();
    CHECK(flood.error().empty());
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 3; }));
    a.send_frame(c_id, "A is back");
    CHECK(c.receive_payload() == "A is back");
}

TEST_CASE("32 MiB of numbered messages to a receiver that starts late arrive once each, in order") {
    Config config = test_config();
    config.high_water = 256_KiB;
    config.low_water = 64_KiB;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient r = server.connect("R (reads late)");
    a.read_id();
    const PeerId r_id = r.read_id();

    // Sizes from 1 byte to 16 KiB, so frames straddle read chunks and partial writes anywhere.
    const std::uint32_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 random(seed);
    std::vector<std::size_t> sizes;
    std::size_t total = 0;
    while (total < 32_MiB) {
        sizes.push_back(1 + random() % (16_KiB));
        total += sizes.back();
    }

    a.set_timeout(30s);
    Worker sender("A", [&] {
        std::string wire;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            wire += frame(r_id, numbered_payload("A", i, sizes[i]));
            if (wire.size() >= 1_MiB || i + 1 == sizes.size()) {
                a.send_raw(wire);
                wire.clear();
            }
        }
    });
    ScopeExit unblock([&] { r.reset(); }); // A's rest then has no destination, and A ends

    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }, 10s));
    CHECK(server.stats().bytes_routed < total); // A really was held back

    // Read half a MiB at a time, and before reading on, let the server pause A again (while A
    // still has data to push): the pause/resume cycle runs many times, not once. A round can
    // miss the pause (R's kernel buffers grow while it reads and may absorb what A sends
    // next, and a loaded machine may run A late), so a few misses end the attempts, not one.
    r.set_timeout(10s);
    std::size_t next = 0;
    int repaused = 0;
    int missed = 0;
    while (next < sizes.size()) {
        const std::uint64_t paused = server.stats().senders_paused;
        for (std::size_t round = 0; next < sizes.size() && round < 1_MiB / 2; ++next) {
            const std::string payload = r.receive_payload();
            if (payload != numbered_payload("A", next, sizes[next]))
                FAIL("message " << next << " of " << sizes.size() << ": received '"
                                << payload.substr(0, 24) << "...' (" << payload.size()
                                << " bytes)");
            round += payload.size();
        }
        if (missed < 5 && !sender.finished()) {
            if (server.wait_until([&] { return server.stats().senders_paused > paused; }, 1s))
                ++repaused;
            else
                ++missed;
        }
    }
    sender.join();
    REQUIRE(sender.error().empty());

    // Nothing after the last message but what A sends now: no duplicates, nothing extra.
    a.send_frame(r_id, "end");
    CHECK(r.receive_payload() == "end");
    r.expect_nothing_pending();
    a.expect_nothing_pending();

    const Stats stats = server.stats();
    INFO(sizes.size() << " messages, " << total << " bytes; A was paused " << stats.senders_paused
                      << " times, " << repaused << " of them after R had begun reading (" << missed
                      << " rounds missed a pause)");
    CHECK(stats.frames_routed == sizes.size() + 1);
    CHECK(stats.frames_unknown_destination == 0);
    CHECK(stats.frames_dropped_on_close == 0);
    CHECK(stats.connections_open == 2);
    CHECK(repaused >= 1); // paused again after R began reading: resumed, and paused again
}

TEST_CASE("A paused sender is paused as a whole, and only it: others flow on") {
    // docs/protocol.md: "A sender paused because one of its destinations is full is paused as a
    // whole (its TCP stream is one ordered stream); no one else is."
    Config config = test_config();
    config.high_water = 256_KiB;
    config.low_water = 64_KiB;
    config.max_frame = 32_MiB;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B (reads late)");
    TestClient g = server.connect("G");
    TestClient e = server.connect("E");
    TestClient f = server.connect("F");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId g_id = g.read_id();
    const PeerId e_id = e.read_id();
    const PeerId f_id = f.read_id();

    // A sends one 16 MiB frame to B, then a frame to G and one to itself. Routing the big
    // frame takes B's queue far above high water, and B's socket buffers cannot take enough
    // of it to bring the queue back to low water (a few MiB at most: the kernel grows them
    // while B does not read, which is why a queue filled frame by frame is no steady test).
    // So A stays paused until B reads. The send completes: the server reads A until it has
    // the whole big frame, and the two small frames are right behind it.
    const std::string big = numbered_payload("A", 0, 16_MiB);
    a.set_timeout(10s);
    a.send_raw(frame(b_id, big) + frame(g_id, "A to G") + frame(a_id, "A to A"));
    REQUIRE(server.wait_until([&] { return server.stats().senders_paused == 1; }, 5s));

    // E and F are not held up, nor is G's queue...
    e.set_timeout(2s);
    f.set_timeout(2s);
    g.set_timeout(2s);
    for (int i = 0; i < 100; ++i) {
        e.send_frame(f_id, "to F " + std::to_string(i));
        REQUIRE(f.receive_payload() == "to F " + std::to_string(i));
        f.send_frame(e_id, "to E " + std::to_string(i));
        REQUIRE(e.receive_payload() == "to E " + std::to_string(i));
    }
    e.send_frame(g_id, "E to G");
    CHECK(g.receive_payload() == "E to G");
    // ... while nothing A sent after its frame to B has been delivered.
    g.expect_nothing_pending();
    a.expect_nothing_pending();
    Stats stats = server.stats();
    CHECK(stats.senders_paused == 1);
    CHECK(stats.frames_routed == 1 + 200 + 1); // A's big frame, E's and F's

    // B reads: A resumes, and its later frames follow.
    b.set_timeout(10s);
    CHECK(b.receive_payload() == big);
    CHECK(g.receive_payload() == "A to G");
    CHECK(a.receive_payload() == "A to A");
    b.expect_nothing_pending();
    g.expect_nothing_pending();
    stats = server.stats();
    CHECK(stats.frames_routed == 1 + 200 + 1 + 2);
    CHECK(stats.frames_unknown_destination == 0);
    CHECK(stats.frames_dropped_on_close == 0);
}

TEST_CASE("A full destination that half-closes frees its ID at once and still gets its queue") {
    // docs/protocol.md: a half-close is leaving: the ID is freed at once (paused senders resume,
    // further frames to it are unknown), and what is already queued is flushed, then FIN.
    Config config = test_config();
    config.high_water = 256_KiB;
    config.low_water = 64_KiB;
    TestServer server(config);
    TestClient a = server.connect("A (floods B)");
    TestClient b = server.connect("B (half-closes)");
    TestClient c = server.connect("C");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId c_id = c.read_id();

    constexpr std::size_t frame_size = 32_KiB;
    constexpr std::size_t flood_bytes = 16_MiB; // far more than B's queue and buffers hold
    std::size_t flood_frames = 0;
    const std::atomic<bool> never{false};
    a.set_timeout(30s);
    Worker flood("A", [&] {
        flood_frames = send_numbered_frames(a, b_id, "A", frame_size, flood_bytes, never);
    });
    ScopeExit unblock([&] { b.reset(); });
    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }, 10s));
    CHECK(server.stats().frames_unknown_destination == 0);

    b.shutdown_write();
    // A resumes without B reading a byte: the rest of its frames have no destination. Its
    // self-frame returns once the server has handled all of them.
    flood.join();
    REQUIRE(flood.error().empty());
    a.send_frame(a_id, "sync");
    CHECK(a.receive_payload() == "sync");
    const std::uint64_t unknown_before = server.stats().frames_unknown_destination;
    CHECK(unknown_before > 0);
    // B's ID is unknown to C as well.
    c.send_frame(b_id, "too late");
    c.send_frame(c_id, "sync");
    CHECK(c.receive_payload() == "sync");
    CHECK(server.stats().frames_unknown_destination == unknown_before + 1);

    // B gets every frame routed to it before its EOF, intact and in order, then a clean EOF.
    const Stats before_flush = server.stats();
    const std::uint64_t routed_to_b = before_flush.frames_routed - 2; // minus the two syncs
    REQUIRE(routed_to_b > 0);
    REQUIRE(routed_to_b + before_flush.frames_unknown_destination == flood_frames + 1);
    b.set_timeout(10s);
    for (std::uint64_t i = 0; i < routed_to_b; ++i) {
        const std::string payload = b.receive_payload();
        if (payload != numbered_payload("A", i, frame_size))
            FAIL("B: frame " << i << " of " << routed_to_b << ": received '"
                             << payload.substr(0, 24) << "...'");
    }
    b.expect_eof();
    b.close();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 2; }));
    const Stats stats = server.stats();
    CHECK(stats.frames_dropped_on_close == 0);
    CHECK(stats.disconnects_error == 0);
    CHECK(stats.disconnects_slow_consumer == 0);
}
