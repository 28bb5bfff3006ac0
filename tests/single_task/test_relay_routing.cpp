// The relay's routing decisions, with no sockets: admission, delivery, unknown destinations,
// error notices, oversized frames, the connection limit.
#include "relay_fixture.hpp"

#include <switchboard/protocol.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace switchboard;
using namespace switchboard::test;
using single_task::PeerState;
using Input = single_task::Relay::Input;

namespace {

std::string id_bytes(PeerId id) {
    std::string bytes(4, '\0');
    protocol::store_u32(std::as_writable_bytes(std::span(bytes)).first<4>(), id);
    return bytes;
}

std::string delivered(std::string_view payload) {
    return std::string(payload) + '\0';
}

} // namespace

TEST_CASE("An admitted peer gets a fresh assignable ID, queued as the first thing it receives") {
    RelayFixture f;
    std::set<PeerId> ids;
    for (int i = 0; i < 8; ++i) {
        auto& peer = f.connect();
        CHECK(protocol::is_assignable(peer.id));
        CHECK(f.queued(peer) == id_bytes(peer.id));
        CHECK(peer.state == PeerState::open);
        CHECK(f.relay.find(peer.id) == &peer); // addressable before it has read its ID
        ids.insert(peer.id);
    }
    CHECK(ids.size() == 8);
    CHECK(f.relay.counters().snapshot().connections_accepted == 8);
    CHECK(f.logged("connected 192.0.2.1:1000 as id "));
}

TEST_CASE("At max_connections the relay says full; a refusal is counted and logged") {
    RelayFixture f;
    for (int i = 0; i < 7; ++i)
        f.connect();
    CHECK_FALSE(f.relay.full());
    auto& last = f.connect();
    CHECK(f.relay.full());
    f.relay.refuse("192.0.2.9:9");
    CHECK(f.relay.counters().snapshot().connections_refused == 1);
    CHECK(f.logged("refused 192.0.2.9:9: at max_connections (8)"));
    f.relay.close(last, core::CloseReason::error, "reset");
    CHECK(f.relay.full()); // a closed peer holds its slot until its owner forgets it
    f.leave(last);
    CHECK_FALSE(f.relay.full());
}

TEST_CASE("A frame is queued to its destination, whose writer is woken, and counted") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.write_all(b); // b has read its ID
    f.io.take();
    CHECK(f.receive(a, f.frame(b.id, "hello") + f.frame(b.id, "")) == Input::need_more);
    CHECK(f.queued(b) == delivered("hello") + delivered(""));
    CHECK(f.io.take() == std::vector<std::string>{"wake_writer 2", "wake_writer 2"});
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.frames_routed == 2);
    CHECK(stats.bytes_routed == 7);
}

TEST_CASE("Frames split anywhere are routed once complete; the rest waits for more bytes") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.write_all(b);
    const std::string wire = f.frame(b.id, "one") + f.frame(b.id, "two");
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        CHECK(f.receive(a, wire.substr(0, cut)) == Input::need_more);
        CHECK(f.receive(a, wire.substr(cut)) == Input::need_more);
        CHECK(f.queued(b) == delivered("one") + delivered("two"));
        f.write_all(b);
    }
}

TEST_CASE("A peer may send to itself") {
    RelayFixture f;
    auto& a = f.connect();
    f.write_all(a);
    f.receive(a, f.frame(a.id, "note to self"));
    CHECK(f.queued(a) == delivered("note to self"));
}

TEST_CASE("Frames to unknown or reserved IDs are dropped and counted; nothing is queued") {
    RelayFixture f;
    auto& a = f.connect();
    f.write_all(a);
    PeerId unknown = a.id + 1;
    while (!protocol::is_assignable(unknown) || f.relay.find(unknown) != nullptr)
        ++unknown;
    f.receive(a, f.frame(0, "x") + f.frame(0xFFFFFFFFu, "y") + f.frame(unknown, "z"));
    CHECK(f.queued(a).empty());
    CHECK(f.relay.counters().snapshot().frames_unknown_destination == 3);
    CHECK(a.state == PeerState::open);
}

TEST_CASE("With error notices on, the sender of a frame to nobody is told, in band") {
    Config config = RelayFixture::small_config();
    config.error_notices = true;
    RelayFixture f(config);
    auto& a = f.connect();
    f.write_all(a);
    f.receive(a, f.frame(0, "x"));
    CHECK(f.queued(a) == "\xff"
                         "Error: unknown destination 0" +
                             std::string(1, '\0'));
    CHECK(f.relay.counters().snapshot().error_notices_sent == 1);
}

TEST_CASE("A frame over max_frame closes its sender: counted, logged with its address") {
    RelayFixture f;
    auto& a = f.connect("192.0.2.7:7000");
    auto& b = f.connect();
    f.io.take();
    // A good frame first: it is routed; then 600 bytes with no terminator.
    const std::string wire = f.frame(b.id, "fine") + id_bytes(b.id) + std::string(596, 'x');
    CHECK(f.receive(a, wire) == Input::closed);
    CHECK(a.state == PeerState::closed);
    CHECK(f.relay.find(a.id) == nullptr);
    CHECK(f.io.made("close 1"));
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.frames_routed == 1);
    CHECK(stats.disconnects_frame_too_large == 1);
    CHECK(f.logged("disconnecting 192.0.2.7:7000 id " + std::to_string(a.id) +
                   ": frame too large (no terminator within 600 bytes)"));
    CHECK(b.state == PeerState::open);
}

TEST_CASE("Leaving mid-frame discards the partial frame and counts it") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.receive(a, f.frame(b.id, "whole") + id_bytes(b.id) + "part");
    f.relay.input_ended(a, "Connection reset by peer");
    CHECK(a.state == PeerState::closed);
    const Stats stats = f.relay.counters().snapshot();
    CHECK(stats.partial_frames_discarded == 1);
    CHECK(stats.disconnects_error == 1);
    CHECK(stats.frames_routed == 1);
}

TEST_CASE("A peer forgotten by its owner leaves the relay and is counted closed") {
    RelayFixture f;
    auto& a = f.connect();
    auto& b = f.connect();
    f.relay.failed(a, "Broken pipe");
    f.leave(a);
    CHECK(f.relay.size() == 1);
    CHECK(f.relay.peers()[0] == &b);
    CHECK(f.relay.counters().snapshot().connections_closed == 1);
    CHECK(f.logged("disconnected 192.0.2.1:1000 id " + std::to_string(a.id)));
    // One whose coroutines ended without tearing it down is closed as an error first.
    f.leave(b);
    CHECK(b.state == PeerState::closed);
    CHECK(f.relay.counters().snapshot().disconnects_error == 2);
    CHECK(f.relay.size() == 0);
}
