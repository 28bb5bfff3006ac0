// Nothing is left behind: no peer after forced disconnects, no unbounded queue of error
// notices, no connection past the drain deadline.
#include "reliability_support.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::literals;
using namespace switchboard::test;
using namespace switchboard::reliability;
using namespace std::chrono_literals;

namespace {

std::size_t count_lines_containing(const std::vector<std::string>& lines, std::string_view text) {
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
        return l.find(text) != std::string::npos;
    }));
}

} // namespace

TEST_CASE("After resets, oversized frames, slow consumers and closes, no peer is left behind") {
    Config config = test_config();
    config.slow_consumer_timeout = 300ms;
    config.high_water = 64_KiB;
    config.low_water = 16_KiB;
    config.max_frame = 4_KiB;
    TestServer server(config);
    constexpr std::size_t groups = 3;
    constexpr std::size_t frame_size = 2_KiB; // below max_frame
    constexpr std::size_t flood_bytes = 8_MiB;

    // Per group: a sender flooding a consumer that never reads (cut off as a slow consumer
    // while the sender is paused on it), and clients that leave in every other way.
    std::vector<std::unique_ptr<TestClient>> senders, stalled, resets, oversized, half_closes,
        unread, plain;
    auto make = [&](std::vector<std::unique_ptr<TestClient>>& into, const std::string& name) {
        into.push_back(std::make_unique<TestClient>(server.port(), name));
        into.back()->read_id();
    };
    for (std::size_t i = 0; i < groups; ++i) {
        const std::string n = " " + std::to_string(i);
        make(senders, "sender" + n);
        make(stalled, "stalled" + n);
        make(resets, "resets mid-frame" + n);
        make(oversized, "oversized frame" + n);
        make(half_closes, "half-closes" + n);
        make(unread, "closes with data unread" + n);
        make(plain, "closes" + n);
    }
    constexpr std::size_t clients = 7 * groups;
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == clients; }));

    const std::atomic<bool> never{false};
    std::vector<std::unique_ptr<Worker>> floods;
    for (std::size_t i = 0; i < groups; ++i) {
        senders[i]->set_timeout(10s);
        floods.push_back(std::make_unique<Worker>("sender " + std::to_string(i), [&, i] {
            send_numbered_frames(*senders[i], stalled[i]->id(), "S", frame_size, flood_bytes,
                                 never);
        }));
    }
    ScopeExit unblock([&] {
        for (auto& s : stalled)
            s->reset();
    });
    REQUIRE(server.wait_until([&] { return server.stats().senders_paused >= groups; }, 5s));

    // The others leave while the senders are paused.
    for (std::size_t i = 0; i < groups; ++i) {
        const PeerId sender_id = senders[i]->id();
        // A self-frame and half a frame in one segment: once the self-frame is back, the
        // server has read the half frame too, and the reset cuts it off for certain.
        resets[i]->send_raw(frame(resets[i]->id(), "sync") +
                            frame(sender_id, "never finished").substr(0, 10));
        REQUIRE(resets[i]->receive_payload() == "sync");
        resets[i]->reset();
        oversized[i]->send_raw(frame(sender_id, "").substr(0, 4) + std::string(4_KiB, 'x'));
        oversized[i]->expect_closed_or_reset();
        plain[i]->send_frame(half_closes[i]->id(), "for the half-closer");
        plain[i]->send_frame(unread[i]->id(), "never read");
        plain[i]->send_frame(plain[i]->id(), "sync");
        REQUIRE(plain[i]->receive_payload() == "sync");
        half_closes[i]->shutdown_write();
        CHECK(half_closes[i]->receive_payload() == "for the half-closer");
        half_closes[i]->expect_eof();
        half_closes[i]->close();
        unread[i]->close(); // with data unread: a reset
        plain[i]->close();
    }

    // The consumers are cut off, their senders resume and finish, then close.
    REQUIRE(
        server.wait_until([&] { return server.stats().disconnects_slow_consumer == groups; }, 5s));
    for (auto& flood : floods) {
        flood->join();
        CHECK(flood->error().empty());
    }
    for (std::size_t i = 0; i < groups; ++i) {
        senders[i]->close();
        stalled[i]->close();
    }

    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 0; }, 5s));
    Stats stats = server.stats();
    CHECK(stats.connections_accepted == clients);
    CHECK(stats.connections_closed == clients);
    CHECK(stats.disconnects_slow_consumer == groups);
    CHECK(stats.disconnects_frame_too_large == groups);
    CHECK(stats.partial_frames_discarded == groups);
    CHECK(stats.disconnects_error >= 2 * groups); // the resets, and the closes with data unread
    CHECK(stats.frames_dropped_on_close > 0);

    // And the server is still in business.
    TestClient late = server.connect("late");
    const PeerId late_id = late.read_id();
    late.send_frame(late_id, "hello again");
    CHECK(late.receive_payload() == "hello again");
    late.close();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 0; }));
    stats = server.stats();
    CHECK(stats.connections_accepted == stats.connections_closed);
}

TEST_CASE("Error notices are framed exactly, name the ID, and are held back like any frame") {
    // A client that floods unknown IDs without reading earns one notice per frame; those
    // queue up for it like any frame, so past high water the server stops reading it (it is
    // paused on its own queue) instead of queueing notices without bound.
    Config config = test_config();
    config.error_notices = true;
    config.high_water = 64_KiB;
    config.low_water = 16_KiB;
    TestServer server(config);
    TestClient a = server.connect("A");
    const PeerId a_id = a.read_id();

    // 200,000 empty frames (1 MB) to distinct unknown IDs earn about 8 MB of notices: more
    // than A's queue and socket buffers hold.
    constexpr std::size_t frames = 200'000;
    PeerId base = 0x10000000;
    if (a_id >= base && a_id - base < frames)
        base = 0x20000000;
    std::string wire;
    wire.reserve(frames * protocol::min_frame_size);
    for (std::size_t i = 0; i < frames; ++i)
        wire += frame(base + static_cast<PeerId>(i), "");
    // A sends from its own thread and reads its notices on this one: send_raw touches only
    // the descriptor, not the read buffer, and the kernel allows one reader and one writer.
    a.set_timeout(10s);
    Worker sender("A", [&] { a.send_raw(wire); });
    // Should a check below fail while A's thread is blocked in send(), abort the server: it
    // closes A's connection, and the send fails at once instead of timing out.
    ScopeExit unblock([&] {
        if (!sender.finished())
            server.stop(0ms);
    });

    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }, 10s));
    CHECK(server.stats().error_notices_sent < frames);

    for (std::size_t i = 0; i < frames; ++i) {
        const std::string expected = "\xff"
                                     "Error: unknown destination " +
                                     std::to_string(base + i) + std::string(1, '\0');
        const std::string notice = a.read_exact(expected.size());
        if (notice != expected)
            FAIL("notice " << i << ": expected '" << expected.substr(1) << "', received '"
                           << notice.substr(0, 40) << "'");
    }
    sender.join();
    REQUIRE(sender.error().empty());
    a.send_frame(a_id, "sync");
    CHECK(a.receive_payload() == "sync"); // no notice more, no notice less

    const Stats stats = server.stats();
    CHECK(stats.frames_unknown_destination == frames);
    CHECK(stats.error_notices_sent == frames);
    CHECK(stats.frames_routed == 1);
    CHECK(stats.connections_open == 1);
}

TEST_CASE("One drain deadline bounds the whole stop, however many clients hold it up") {
    // docs/protocol.md, Shutdown: "One drain deadline bounds the whole flush". Five clients that
    // never read their large queues and six that never close after the server's FIN would
    // each hold the stop up forever; together they hold it up for one deadline.
    Config config = test_config();
    config.high_water = 64_MiB; // nothing is paused: everything is queued before the stop
    config.drain_timeout = 300ms;
    TestServer server(config);
    TestClient a = server.connect("A (sender, never closes)");
    const PeerId a_id = a.read_id();
    std::vector<std::unique_ptr<TestClient>> stalled, idle;
    for (int i = 0; i < 5; ++i) {
        stalled.push_back(
            std::make_unique<TestClient>(server.port(), "stalled " + std::to_string(i)));
        stalled.back()->read_id();
        idle.push_back(std::make_unique<TestClient>(server.port(), "idle " + std::to_string(i)));
        idle.back()->read_id();
    }

    // 6 MiB for each stalled client: more than the socket buffers on the way take.
    constexpr std::size_t frame_size = 32_KiB;
    constexpr std::size_t frames_each = 192;
    std::string wire;
    for (std::size_t i = 0; i < frames_each; ++i)
        for (const auto& s : stalled)
            wire += frame(s->id(), numbered_payload("A", i, frame_size));
    a.set_timeout(20s);
    a.send_raw(wire);
    a.send_frame(a_id, "sync");
    REQUIRE(a.receive_payload() == "sync");
    REQUIRE(server.stats().frames_routed == frames_each * stalled.size() + 1);

    bool graceful = false;
    const auto took = time_of([&] { graceful = server.stop(10s); });
    INFO("stop took " << took.count() << " ms");
    CHECK(graceful); // the completion handler ran and run() returned, without an abort
    CHECK(took >= 250ms);
    CHECK(took < 2s); // one deadline, not one per client

    const Stats stats = server.stats();
    CHECK(stats.connections_open == 0);
    CHECK(stats.frames_dropped_on_close >= stalled.size()); // every stalled queue had some left
    CHECK(stats.bytes_dropped_on_close > 0);
    const auto lines = server.log_lines();
    CHECK(count_lines_containing(lines, "drain deadline passed") == stalled.size());
    // The clients with nothing queued got all of it and a clean FIN.
    a.expect_eof();
    for (auto& i : idle)
        i->expect_eof();
    for (auto& s : stalled)
        s->reset();
}
