// Bad input and clients that leave abruptly (the table "Bad input and limits" of
// docs/protocol.md): each has one clear outcome, and nobody else is disturbed.
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <future>
#include <initializer_list>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::test;
using namespace std::string_literals;

namespace {

/// An assignable ID that none of `taken` holds.
PeerId unused_id(std::initializer_list<PeerId> taken) {
    PeerId id = 0x5eed0001;
    auto is_taken = [&](PeerId candidate) {
        for (const PeerId t : taken)
            if (t == candidate)
                return true;
        return false;
    };
    while (!protocol::is_assignable(id) || is_taken(id))
        ++id;
    return id;
}

/// The 4 header bytes of a frame to `destination`.
std::string header(PeerId destination) {
    return frame(destination, "").substr(0, protocol::id_size);
}

} // namespace

TEST_CASE("Frames to unknown or reserved IDs are dropped and counted, the sender stays usable") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId nobody = unused_id({a_id, b_id});

    a.send_frame(nobody, "to nobody");
    a.send_frame(protocol::reserved_id_low, "to 0");
    a.send_frame(protocol::reserved_id_high, "to 0xFFFFFFFF");
    // One reader handles A's frames in order: once this one is back, the three were handled.
    // It is also the first thing A receives: error notices are off by default.
    a.send_frame(a_id, "still connected");
    CHECK(a.receive_payload() == "still connected");

    Stats stats = server.stats();
    CHECK(stats.frames_unknown_destination == 3);
    CHECK(stats.frames_routed == 1);
    CHECK(stats.error_notices_sent == 0);
    CHECK(stats.connections_open == 2);

    a.send_frame(b_id, "to a real peer");
    CHECK(b.receive_payload() == "to a real peer");
    b.expect_nothing_pending();
    stats = server.stats();
    CHECK(stats.frames_routed == 2);
    CHECK(stats.connections_closed == 0);
}

TEST_CASE("With error notices on, a frame to an unknown destination earns the sender a notice") {
    Config config = test_config();
    config.error_notices = true;
    TestServer server(config);
    TestClient a = server.connect("A");
    const PeerId a_id = a.read_id();
    const PeerId nobody = unused_id({a_id});

    a.send_frame(nobody, "to nobody");
    const std::string notice = a.receive_payload();
    CHECK(notice.rfind("\xFF"s + "Error: ", 0) == 0);
    a.send_frame(a_id, "still connected");
    CHECK(a.receive_payload() == "still connected");
    const Stats stats = server.stats();
    CHECK(stats.frames_unknown_destination == 1);
    CHECK(stats.error_notices_sent == 1);
}

TEST_CASE("A client reset in the middle of a frame disturbs nobody else") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    TestClient c = server.connect("C");
    a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId c_id = c.read_id();

    c.send_frame(b_id, "before");
    CHECK(b.receive_payload() == "before");

    // Header and half a payload, no terminator; then a reset (RST) instead of the rest.
    a.send_raw(header(b_id) + "half a fr");
    a.reset();
    REQUIRE(server.wait_until([&] { return server.stats().connections_closed == 1; }));
    Stats stats = server.stats();
    CHECK(stats.partial_frames_discarded == 1);
    CHECK(stats.disconnects_error == 1);
    CHECK(stats.connections_open == 2);
    CHECK(stats.frames_routed == 1);

    // None of A's bytes reach B; B and C carry on.
    c.send_frame(b_id, "after");
    CHECK(b.receive_payload() == "after");
    b.send_frame(c_id, "reply");
    CHECK(c.receive_payload() == "reply");
    b.expect_nothing_pending();
    stats = server.stats();
    CHECK(stats.frames_routed == 3);
    CHECK(stats.connections_open == 2);
}

TEST_CASE("A frame longer than max_frame disconnects its sender and nobody else") {
    Config config = test_config();
    config.max_frame = 1024;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    TestClient c = server.connect("C");
    a.read_id();
    const PeerId b_id = b.read_id();
    const PeerId c_id = c.read_id();

    // Exactly max_frame bytes (header + 1019 + terminator) is allowed, in one write or split
    // right before the terminator.
    const std::string largest(1024 - protocol::id_size - 1, 'm');
    b.send_frame(c_id, largest);
    CHECK(c.receive_payload() == largest);
    b.send_raw(header(c_id) + largest);
    b.send_raw("\0"s);
    CHECK(c.receive_payload() == largest);

    // max_frame bytes without a terminator: the stream cannot be resynchronised, and the
    // server must not wait for more.
    a.send_raw(header(b_id) + std::string(1024 - protocol::id_size, 'x'));
    a.expect_closed_or_reset();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 2; }));
    Stats stats = server.stats();
    CHECK(stats.disconnects_frame_too_large == 1);
    CHECK(stats.connections_closed == 1);
    CHECK(server.wait_for_log("frame too large"));
    CHECK(server.wait_for_log("127.0.0.1")); // logged with the peer's address

    // B and C keep exchanging, and none of A's bytes reached B.
    c.send_frame(b_id, "still here");
    CHECK(b.receive_payload() == "still here");
    b.send_frame(c_id, largest);
    CHECK(c.receive_payload() == largest);
    b.expect_nothing_pending();
    c.expect_nothing_pending();
    stats = server.stats();
    CHECK(stats.disconnects_frame_too_large == 1);
    CHECK(stats.frames_routed == 4);
}

TEST_CASE("A client that half-closes has its frames delivered, gets its queue, then EOF") {
    // A high-water mark above what is queued here: B is never paused by A's queue.
    Config config = test_config();
    config.high_water = 64 * 1024 * 1024;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();

    // Queue for A, which does not read yet, far more than the kernel's socket buffers take
    // (at most 4 MiB send + A's untouched 128 KiB receive buffer here): A's session cannot
    // end before A has read most of it.
    constexpr int queued = 400;
    auto queued_payload = [](int i) {
        return "to A " + std::to_string(i) + " " + std::string(30'000, 'q');
    };
    std::string wire;
    for (int i = 0; i < queued; ++i)
        wire += frame(a_id, queued_payload(i));
    b.send_raw(wire);
    b.send_frame(b_id, "sync"); // back once all of the above is queued to A
    CHECK(b.receive_payload() == "sync");

    a.send_frame(b_id, "from A 1");
    a.send_frame(b_id, "from A 2");
    a.shutdown_write();
    CHECK(b.receive_payload() == "from A 1");
    CHECK(b.receive_payload() == "from A 2");

    // A's ID is freed as soon as the server reads A's EOF, while A's queue is still being
    // flushed. The EOF has no observable event of its own, so probe: frames to A until one
    // counts as an unknown destination (those before it are queued to A, after the rest).
    std::vector<std::string> probes_routed;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (int probe = 0; server.stats().frames_unknown_destination == 0; ++probe) {
        if (std::chrono::steady_clock::now() > give_up)
            FAIL("A's ID still routes " << probe << " probes after A half-closed");
        const std::string payload = "probe " + std::to_string(probe);
        b.send_frame(a_id, payload);
        b.send_frame(b_id, "sync");
        CHECK(b.receive_payload() == "sync");
        if (server.stats().frames_unknown_destination == 0)
            probes_routed.push_back(payload);
    }
    INFO(probes_routed.size() << " probe(s) were routed to A before its EOF was read");
    CHECK(server.stats().connections_open == 2); // A's session is still flushing

    // A receives everything that was queued to it, then a clean EOF.
    for (int i = 0; i < queued; ++i) {
        const std::string payload = a.receive_payload();
        if (payload != queued_payload(i))
            FAIL("queued frame " << i << ": received '" << payload.substr(0, 20) << "...'");
    }
    for (const std::string& probe : probes_routed)
        CHECK(a.receive_payload() == probe);
    a.expect_eof();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 1; }));

    const Stats stats = server.stats();
    CHECK(stats.frames_unknown_destination == 1);
    CHECK(stats.frames_dropped_on_close == 0);
    CHECK(stats.disconnects_error == 0);
    CHECK(stats.connections_closed == 1);
}

TEST_CASE("A sender paused by a full destination resumes when that destination resets") {
    Config config = test_config();
    config.high_water = 64 * 1024;
    config.low_water = 16 * 1024;
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B (never reads, then resets)");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();

    // Far more than B's queue and socket buffers take: A is paused until B leaves.
    std::string wire;
    for (int i = 0; i < 256; ++i)
        wire += frame(b_id, std::string(32 * 1024, 'r'));
    auto sending = std::async(std::launch::async, [&] { a.send_raw(wire); });
    REQUIRE(server.wait_until([&] { return server.stats().senders_paused > 0; }));

    b.reset();
    REQUIRE(server.wait_until([&] { return server.stats().connections_closed == 1; }));
    sending.get(); // A's remaining frames are read again (and have no destination now)
    a.send_frame(a_id, "resumed");
    CHECK(a.receive_payload() == "resumed");

    const Stats stats = server.stats();
    CHECK(stats.connections_open == 1);
    CHECK(stats.frames_routed + stats.frames_unknown_destination == 256 + 1);
    // A's 8 MiB cannot all fit in B's queue and socket buffers: the rest had no destination.
    // (Whether B's queue still held frames when it reset depends on timing: not checked.)
    CHECK(stats.frames_unknown_destination > 0);
}
