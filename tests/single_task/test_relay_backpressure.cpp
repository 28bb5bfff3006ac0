// Pausing a sender behind a full queue and resuming it, decided by the relay alone: high and
// low water, a destination that leaves, a slow consumer, a sender paused as a whole.
#include "relay_fixture.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchboard;
using namespace switchboard::test;
using single_task::PeerState;
using Input = single_task::Relay::Input;

namespace {

/// Frames of 512 payload bytes: two take a destination's queue (high water 1 KiB) above high
/// water, and they are queued as views (above the copy threshold).
std::string big_frames(PeerId destination, int count) {
    std::string wire;
    for (int i = 0; i < count; ++i)
        wire += RelayFixture::frame(destination, std::string(512, static_cast<char>('a' + i)));
    return wire;
}

} // namespace

TEST_CASE("A sender that fills a queue past high water is paused, then resumed at low water") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.write_all(b);
    f.io.take();

    // Three frames in one read: the second takes b above 1 KiB, so the third is not routed.
    CHECK(f.receive(a, big_frames(b.id, 3)) == Input::paused);
    CHECK(a.paused_on == b.id);
    CHECK(b.outbox.frames() == 2);
    CHECK(f.relay.still_paused(a));
    CHECK(f.relay.counters().snapshot().senders_paused == 1);
    CHECK(f.logged("pausing id " + std::to_string(a.id) + ": the queue of id " +
                   std::to_string(b.id) + " is above 1024 bytes"));

    // Written down to 770 bytes: still above low water (256), still paused, nobody woken.
    f.io.take();
    f.write(b, 256);
    CHECK_FALSE(f.io.made("wake_reader 1"));
    CHECK(f.relay.still_paused(a));

    // Down to 256 bytes: at low water, so the sender is woken and goes on with the third.
    f.write(b, 770 - 256);
    CHECK(f.io.made("wake_reader 1"));
    CHECK_FALSE(f.relay.still_paused(a));
    CHECK(f.relay.route_input(a, f.now) == Input::need_more);
    CHECK(b.outbox.frames() == 2); // the rest of the second, and the third
    CHECK(f.relay.counters().snapshot().frames_routed == 3);
}

TEST_CASE("A paused sender resumes when its destination leaves, by EOF or by reset") {
    for (const bool by_eof : {true, false}) {
        DYNAMIC_SECTION((by_eof ? "EOF" : "reset")) {
            RelayFixture f;
            auto& a = f.connect();
            auto& b = f.connect();
            REQUIRE(f.receive(a, big_frames(b.id, 3)) == Input::paused);
            f.io.take();
            f.relay.input_ended(b, by_eof ? "" : "Connection reset by peer");
            CHECK(f.io.made("wake_reader 1"));
            CHECK_FALSE(f.relay.still_paused(a));
            CHECK(f.relay.find(b.id) == nullptr); // the ID is free at once, either way
            // The third frame finds nobody now.
            CHECK(f.relay.route_input(a, f.now) == Input::need_more);
            CHECK(f.relay.counters().snapshot().frames_unknown_destination == 1);
            // After EOF what was queued is still flushed; after a reset it is dropped.
            CHECK(b.state == (by_eof ? PeerState::half_closed : PeerState::closed));
            CHECK(b.outbox.frames() == (by_eof ? 3u : 0u)); // its ID and two frames
        }
    }
}

TEST_CASE("A sender is paused as a whole: its frames to others wait too, others flow on") {
    RelayFixture f;
    auto& a = f.connect();
    auto& full = f.connect();
    auto& other = f.connect();
    auto& c = f.connect();
    f.write_all(other);
    REQUIRE(f.receive(a, big_frames(full.id, 2) + RelayFixture::frame(other.id, "later")) ==
            Input::paused);
    CHECK(other.outbox.empty()); // behind the pause, in order
    // Another sender reaches `other` at once, and even `full` (it pauses only itself).
    CHECK(f.receive(c, RelayFixture::frame(other.id, "now")) == Input::need_more);
    CHECK(other.outbox.frames() == 1);
    CHECK(f.receive(c, RelayFixture::frame(full.id, "x")) == Input::paused);
}

TEST_CASE("A wake-up for a destination that is still full leaves the sender paused") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    REQUIRE(f.receive(a, big_frames(b.id, 3)) == Input::paused);
    b.paused_senders.clear(); // as after a wake-up that found nothing to do
    CHECK(f.relay.still_paused(a));
    CHECK(b.paused_senders.size() == 1); // registered again, so the next drain wakes it
}

TEST_CASE("A consumer with queued bytes and no write progress for the timeout is closed") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect("192.0.2.2:2000");
    f.write_all(a); // a reads; b never does, not even its ID
    REQUIRE(f.receive(a, big_frames(b.id, 3)) == Input::paused);
    const auto start = f.now;

    f.now = start + std::chrono::milliseconds(999);
    f.relay.sweep(f.now);
    CHECK(b.state == PeerState::open); // not before the timeout

    f.write(b, 100); // progress restarts the clock
    f.now = start + std::chrono::milliseconds(1500);
    f.relay.sweep(f.now);
    CHECK(b.state == PeerState::open);

    f.io.take();
    f.now = start + std::chrono::milliseconds(2100);
    f.relay.sweep(f.now);
    CHECK(b.state == PeerState::closed);
    CHECK(f.io.made("close 2"));
    CHECK(f.io.made("wake_reader 1")); // its paused sender resumes
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.disconnects_slow_consumer == 1);
    CHECK(stats.frames_dropped_on_close == 2); // the ID was written, two frames were not
    CHECK(stats.bytes_dropped_on_close == 4 + 2 * 513 - 100);
    CHECK(f.logged("disconnecting 192.0.2.2:2000 id " + std::to_string(b.id) +
                   ": slow consumer, dropping 2 queued frame(s), 930 bytes"));
    CHECK(a.state == PeerState::open);
}

TEST_CASE("An idle peer with nothing queued is never a slow consumer") {
    RelayFixture f;
    auto& a = f.connect();
    f.write_all(a);
    f.now += std::chrono::hours(1);
    f.relay.sweep(f.now);
    CHECK(a.state == PeerState::open);
}

TEST_CASE("Error notices to a sender that never reads them pause it like any frame") {
    Config config = RelayFixture::small_config();
    config.error_notices = true;
    RelayFixture f(config);
    auto& a = f.connect();
    std::string wire;
    for (int i = 0; i < 60; ++i)
        wire += RelayFixture::frame(0, "x");
    CHECK(f.receive(a, wire) == Input::paused);
    CHECK(a.paused_on == a.id);
    f.write_all(a);
    CHECK_FALSE(f.relay.still_paused(a));
}
