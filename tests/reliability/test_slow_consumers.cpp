// The slow-consumer rule (docs/protocol.md, "Bad input and limits"): a destination whose queue is
// non-empty and whose socket accepted no byte for slow_consumer_timeout is disconnected, its
// queue dropped and counted, and the senders paused on it resume. It is also what breaks the
// deadlock of two clients that send to each other without reading.
#include "reliability_support.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <string>

using namespace switchboard;
using namespace switchboard::literals;
using namespace switchboard::test;
using namespace switchboard::reliability;
using namespace std::chrono_literals;

namespace {

Config slow_consumer_config() {
    Config config = test_config();
    config.slow_consumer_timeout = 300ms;
    config.high_water = 256_KiB;
    config.low_water = 64_KiB;
    return config;
}

/// `count` frames of `size` bytes to `destination`, numbered with `tag`.
std::string numbered_frames(PeerId destination, std::string_view tag, std::size_t count,
                            std::size_t size) {
    std::string wire;
    wire.reserve(count * (size + protocol::min_frame_size));
    for (std::size_t i = 0; i < count; ++i)
        wire += frame(destination, numbered_payload(tag, i, size));
    return wire;
}

} // namespace

TEST_CASE("A consumer that stops reading is cut off after the timeout, not before, and its "
          "sender moves on") {
    TestServer server(slow_consumer_config());
    TestClient a = server.connect("A (floods B)");
    TestClient b = server.connect("B (never reads)");
    TestClient c = server.connect("C");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId c_id = c.read_id();

    // 16 MiB for B: more than its queue and every socket buffer on the way hold.
    constexpr std::size_t frame_size = 32_KiB;
    constexpr std::size_t frames = 512;
    const std::string wire = numbered_frames(b_id, "A", frames, frame_size);
    // B's queue is empty before this point, so its slow-consumer clock cannot start earlier.
    const auto started = std::chrono::steady_clock::now();
    a.set_timeout(10s);
    Worker flood("A", [&] { a.send_raw(wire); });
    ScopeExit unblock([&] { b.reset(); });

    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }, 5s));
    REQUIRE(server.wait_until([&] { return server.stats().disconnects_slow_consumer == 1; }, 5s));
    const auto cut_after = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    INFO("B was cut off " << cut_after.count() << " ms after A began sending");
    CHECK(cut_after >= 300ms); // backpressure alone never disconnects
    CHECK(cut_after < 3s);     // checked every quarter of the timeout: cut off by ~375 ms

    // A resumes: the rest of its frames have no destination any more.
    flood.join();
    CHECK(flood.error().empty());
    a.send_frame(a_id, "sync");
    CHECK(a.receive_payload() == "sync");
    Stats stats = server.stats();
    CHECK(stats.frames_dropped_on_close > 0);
    // Whole frames, but the first may have been partly written already.
    CHECK(stats.bytes_dropped_on_close > (stats.frames_dropped_on_close - 1) * (frame_size + 1));
    CHECK(stats.frames_routed + stats.frames_unknown_destination == frames + 1);
    CHECK(stats.frames_unknown_destination > 0);
    CHECK(stats.connections_open == 2);
    CHECK(server.wait_for_log("slow consumer, dropping"));

    // What reached B before the cut is intact and in order; then the connection ends.
    std::size_t received = 0;
    try {
        for (;; ++received) {
            const std::string bytes = b.read_exact(frame_size + 1);
            if (bytes != numbered_payload("A", received, frame_size) + '\0')
                FAIL("B: frame " << received << ": received '" << bytes.substr(0, 24) << "...'");
        }
    } catch (const TestFailure& e) {
        INFO(e.what());
        CHECK(std::string_view(e.what()).find("timed out") == std::string_view::npos);
    }
    INFO("B received " << received << " whole frames before it was cut off");
    CHECK(received + stats.frames_dropped_on_close <= stats.frames_routed - 1);

    // A, resumed, talks to a third client both ways.
    a.send_frame(c_id, "after the cut");
    CHECK(c.receive_payload() == "after the cut");
    c.send_frame(a_id, "welcome back");
    CHECK(a.receive_payload() == "welcome back");
    stats = server.stats();
    CHECK(stats.disconnects_slow_consumer == 1);
    CHECK(stats.disconnects_frame_too_large == 0);
}

TEST_CASE("Two clients that send to each other without reading deadlock until the slow-consumer "
          "timeout breaks it") {
    TestServer server(slow_consumer_config());
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();

    // 16 MiB each way, from two threads, neither reading: each end's queue fills, each
    // reader is paused on the other, and nothing moves.
    const std::string to_b = numbered_frames(b_id, "A", 512, 32_KiB);
    const std::string to_a = numbered_frames(a_id, "B", 512, 32_KiB);
    a.set_timeout(10s);
    b.set_timeout(10s);
    // Each ends when the server cuts its client off, or when the other was cut off first and
    // the rest of its frames had no destination; only a 10 s stall is a failure.
    Worker a_sends("A", [&] { send_until_disconnected(a, to_b); });
    Worker b_sends("B", [&] { send_until_disconnected(b, to_a); });
    // Should a check below fail while they are still stuck, abort the server, which closes
    // both connections and so ends both sends at once.
    ScopeExit unblock([&] {
        if (!a_sends.finished() || !b_sends.finished())
            server.stop(0ms);
    });

    REQUIRE(server.wait_until([&] { return server.stats().senders_paused >= 2; }, 5s));
    REQUIRE(server.wait_until([&] { return server.stats().disconnects_slow_consumer >= 1; }, 5s));
    a_sends.join();
    b_sends.join();
    CHECK(a_sends.error().empty());
    CHECK(b_sends.error().empty());

    // Once one is cut off the other resumes, but it still reads nothing of its own queue, so
    // it is cut off too: both are gone.
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 0; }, 5s));
    Stats stats = server.stats();
    CHECK(stats.disconnects_slow_consumer == 2);
    CHECK(stats.frames_dropped_on_close > 0);
    CHECK(stats.connections_closed == 2);
    a.close();
    b.close();

    // The server is healthy: a fresh pair exchanges messages.
    TestClient e = server.connect("E");
    TestClient f = server.connect("F");
    const PeerId e_id = e.read_id();
    const PeerId f_id = f.read_id();
    e.send_frame(f_id, "hello F");
    CHECK(f.receive_payload() == "hello F");
    f.send_frame(e_id, "hello E");
    CHECK(e.receive_payload() == "hello E");
    stats = server.stats();
    CHECK(stats.connections_open == 2);
    CHECK(stats.disconnects_slow_consumer == 2);
}
