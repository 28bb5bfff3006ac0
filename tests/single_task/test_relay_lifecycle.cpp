// A peer's life as the relay runs it: half-close and flush, the writer's next step, the
// graceful drain on stop (stop reading, route what was read, flush, FIN, linger), the drain
// deadline and abort.
#include "relay_fixture.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace switchboard;
using namespace switchboard::test;
using single_task::PeerState;
using Input = single_task::Relay::Input;
using Output = single_task::Relay::Output;
using Finish = single_task::Relay::Finish;

TEST_CASE("The writer writes while bytes are queued and waits while none are") {
    RelayFixture f;
    auto& a = f.connect();
    CHECK(f.relay.next_output(a) == Output::write); // its ID
    f.write_all(a);
    CHECK(f.relay.next_output(a) == Output::wait);
}

TEST_CASE("EOF frees the ID at once; the queue is flushed, then FIN and a clean close") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.write_all(b);
    f.receive(a, RelayFixture::frame(b.id, "before EOF"));
    f.io.take();
    f.relay.input_ended(b, ""); // b half-closes with a frame still queued to it
    CHECK(b.state == PeerState::half_closed);
    CHECK(f.relay.find(b.id) == nullptr);
    CHECK(f.io.made("wake_writer 2"));
    CHECK(f.relay.next_output(b) == Output::write);
    f.write_all(b);
    CHECK(f.relay.next_output(b) == Output::finish);
    CHECK(f.relay.flushed(b) == Finish::close);
    CHECK(b.state == PeerState::closed);
    CHECK(f.relay.next_output(b) == Output::done);
    CHECK(f.relay.counters().snapshot().disconnects_error == 0); // a clean end, not a fault
    f.leave(b);
    CHECK(f.relay.counters().snapshot().connections_closed == 1);
}

TEST_CASE("A stop asks every reader to stop, routes what was read without pausing, then "
          "lets writers finish once no reader can route") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    auto& c = f.connect();
    for (auto* p : {&a, &b, &c})
        f.write_all(*p);
    std::string wire;
    for (int i = 0; i < 4; ++i)
        wire += RelayFixture::frame(b.id, std::string(512, 'x'));
    REQUIRE(f.receive(a, wire) == Input::paused); // two of four routed
    f.io.take();

    f.relay.begin_drain();
    CHECK(f.relay.draining());
    const auto asked = f.io.take();
    CHECK(asked == std::vector<std::string>{"stop_reading 1", "stop_reading 2", "stop_reading 3"});
    // The paused reader wakes, is no longer paused, and routes the rest: nothing read is lost.
    CHECK_FALSE(f.relay.still_paused(a));
    CHECK(f.relay.route_input(a, f.now) == Input::need_more);
    CHECK(b.outbox.frames() == 4);

    // c's reader has finished; while a and b may still route, c's writer waits.
    f.relay.reader_finished(c);
    CHECK(c.state == PeerState::stopping);
    CHECK(f.relay.find(c.id) == &c); // still addressable: a frame in flight to it arrives
    CHECK(f.relay.next_output(c) == Output::wait);
    f.relay.reader_finished(a);
    f.io.take();
    f.relay.reader_finished(b); // the last reader: every writer is woken
    CHECK(f.io.take() == std::vector<std::string>{"wake_writer 1", "wake_writer 2", "wake_writer 3",
                                                  "wake_writer 2"});
    CHECK(f.relay.next_output(c) == Output::finish);
    CHECK(f.relay.next_output(b) == Output::write);

    // c has not sent FIN: after ours, it lingers until the client's, then closes.
    CHECK(f.relay.flushed(c) == Finish::linger);
    CHECK(c.state == PeerState::lingering);
    CHECK(f.relay.find(c.id) == nullptr);
    f.relay.linger_ended(c);
    CHECK(c.state == PeerState::closed);
    CHECK(f.relay.counters().snapshot().frames_routed == 4);
}

TEST_CASE("At the drain deadline what is queued is dropped and counted; a lingering peer lost "
          "nothing") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect("192.0.2.2:2000");
    auto& c = f.connect("192.0.2.3:3000");
    f.write_all(b);
    f.write_all(c);
    f.receive(a, RelayFixture::frame(b.id, "stuck"));
    f.relay.begin_drain();
    for (auto* p : {&a, &b, &c})
        f.relay.reader_finished(*p);
    f.write_all(c);
    REQUIRE(f.relay.flushed(c) == Finish::linger);

    f.relay.drain_deadline_passed();
    for (auto* p : {&a, &b, &c})
        CHECK(p->state == PeerState::closed);
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.frames_dropped_on_close == 2); // a's unwritten ID, b's frame
    CHECK(stats.disconnects_error == 0);
    CHECK(f.logged("disconnecting 192.0.2.2:2000 id " + std::to_string(b.id) +
                   ": drain deadline passed, dropping 1 queued frame(s), 6 bytes"));
    CHECK(f.logged("closing 192.0.2.3:3000 id " + std::to_string(c.id) +
                   ": flushed, client still sending"));
}

TEST_CASE("Abort closes everything at once and counts what it dropped") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.receive(a, RelayFixture::frame(b.id, "never sent"));
    f.relay.abort();
    CHECK(a.state == PeerState::closed);
    CHECK(b.state == PeerState::closed);
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.frames_dropped_on_close == 3); // two IDs and the frame
    CHECK(f.logged("server aborted"));
}

TEST_CASE("A reader that ends while the server runs is a fault: the peer is closed") {
    RelayFixture f;
    auto& a = f.connect();
    f.relay.reader_finished(a);
    CHECK(a.state == PeerState::closed);
    CHECK(f.relay.counters().snapshot().disconnects_error == 1);
}

TEST_CASE("Closing twice, or after a clean end, changes nothing") {
    RelayFixture f;
    auto& a = f.connect();
    f.relay.close(a, core::CloseReason::slow_consumer);
    f.relay.close(a, core::CloseReason::error, "again");
    f.relay.input_ended(a, "late");
    f.relay.linger_ended(a);
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.disconnects_slow_consumer == 1);
    CHECK(stats.disconnects_error == 0);
    CHECK(f.relay.next_output(a) == Output::done);
}
