// Delivery: the exchange of docs/protocol.md and its guarantees (ordering, integrity, no loss,
// send-then-close), over real sockets against an in-process server.
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <future>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::test;
using namespace std::string_literals;

namespace {

/// Index of the first byte where `a` and `b` differ (or the shorter size), or npos if equal.
std::size_t first_difference(const std::string& a, const std::string& b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i)
        if (a[i] != b[i])
            return i;
    return a.size() == b.size() ? std::string::npos : n;
}

} // namespace

TEST_CASE("Two clients read their IDs and exchange a message each way") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    const PeerId a_id = a.read_id();
    const PeerId b_id = b.read_id();
    REQUIRE(a_id != b_id);

    a.send_frame(b_id, "hello");
    // Exactly the payload and its terminator, without the header.
    CHECK(b.read_exact(6) == "hello\0"s);

    b.send_frame(a_id, "hello yourself");
    CHECK(a.read_exact(15) == "hello yourself\0"s);

    const Stats stats = server.stats();
    CHECK(stats.frames_routed == 2);
    CHECK(stats.bytes_routed == 6 + 15);
    CHECK(stats.frames_unknown_destination == 0);
    a.expect_nothing_pending();
    b.expect_nothing_pending();
}

TEST_CASE("Two hundred concurrent clients each get a distinct, assignable ID") {
    constexpr std::size_t count = 200;
    TestServer server;
    std::vector<TestClient> clients;
    clients.reserve(count);
    for (std::size_t i = 0; i < count; ++i)
        clients.push_back(server.connect("client " + std::to_string(i)));

    std::set<PeerId> ids;
    for (TestClient& client : clients) {
        const PeerId id = client.read_id();
        CHECK(id != protocol::reserved_id_low);
        CHECK(id != protocol::reserved_id_high);
        ids.insert(id);
    }
    CHECK(ids.size() == count);
    CHECK(server.wait_until([&] { return server.stats().connections_open == count; }));

    // Each ID reaches the client that holds it: client i writes to client i+1.
    for (std::size_t i = 0; i < count; ++i)
        clients[i].send_frame(clients[(i + 1) % count].id(), "from " + std::to_string(i));
    for (std::size_t i = 0; i < count; ++i)
        CHECK(clients[i].receive_payload() == "from " + std::to_string((i + count - 1) % count));
}

TEST_CASE("A frame written one byte at a time is delivered intact") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    a.read_id();
    const PeerId b_id = b.read_id();

    const std::string payload = "written one byte at a time, header included";
    const std::string wire = frame(b_id, payload);
    for (const char byte : wire)
        a.send_raw(std::string_view(&byte, 1));
    CHECK(b.receive_payload() == payload);

    // The stream is still in step: a whole frame right after is delivered as such.
    a.send_frame(b_id, "next");
    CHECK(b.receive_payload() == "next");
}

TEST_CASE("A hundred frames in one write are all delivered, in order") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    a.read_id();
    const PeerId b_id = b.read_id();

    std::string wire;
    std::vector<std::string> sent;
    for (int i = 0; i < 100; ++i) {
        sent.push_back("message " + std::to_string(i) +
                       std::string(static_cast<std::size_t>(i), 'x'));
        wire += frame(b_id, sent.back());
    }
    a.send_raw(wire);

    std::vector<std::string> received;
    for (std::size_t i = 0; i < sent.size(); ++i)
        received.push_back(b.receive_payload());
    CHECK(received == sent);
    CHECK(server.stats().frames_routed == 100);
}

TEST_CASE("An empty payload is delivered as a lone terminator") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    a.read_id();
    const PeerId b_id = b.read_id();

    a.send_frame(b_id, "");
    CHECK(b.read_exact(1) == "\0"s);
    a.send_frame(b_id, "after the empty one");
    CHECK(b.receive_payload() == "after the empty one");
    CHECK(server.stats().bytes_routed == 1 + 20);
}

TEST_CASE("A 512 KiB payload of random non-zero bytes is delivered intact") {
    TestServer server;
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    a.read_id();
    const PeerId b_id = b.read_id();

    const std::uint32_t seed = std::random_device{}();
    INFO("payload seed " << seed);
    const std::string payload = random_payload(512 * 1024, seed);
    a.send_frame(b_id, payload);
    const std::string received = b.receive_payload();
    CHECK(received.size() == payload.size());
    CHECK(first_difference(received, payload) == std::string::npos);
    b.expect_nothing_pending();
}

namespace {

constexpr int fan_in_senders = 20;
constexpr int fan_in_messages = 500;

/// "s07-m00042-" and a padding whose length and content depend on both numbers, so a
/// payload cut short, spliced with another or delivered out of turn never looks right.
std::string numbered_message(int sender, int seq) {
    char head[32];
    std::snprintf(head, sizeof head, "s%02d-m%05d-", sender, seq);
    std::string message = head;
    const int padding = (sender * 31 + seq * 17) % 97;
    for (int i = 0; i < padding; ++i)
        message += static_cast<char>('a' + (sender + seq + i) % 26);
    return message;
}

} // namespace

TEST_CASE("Messages from twenty senders to one receiver arrive once each, in order, unmixed") {
    TestServer server;
    TestClient receiver = server.connect("receiver");
    const PeerId receiver_id = receiver.read_id();
    std::vector<TestClient> senders;
    for (int s = 0; s < fan_in_senders; ++s) {
        senders.push_back(server.connect("sender " + std::to_string(s)));
        senders.back().read_id();
    }

    // Each sender on its own thread writes its messages in batches of 1 to 8 frames, so the
    // server sees all kinds of segmentation and concurrent writers.
    std::vector<std::future<void>> sending;
    for (int s = 0; s < fan_in_senders; ++s) {
        sending.push_back(std::async(std::launch::async, [&, s] {
            std::mt19937 random(static_cast<std::uint32_t>(s));
            std::uniform_int_distribution<int> batch_size(1, 8);
            int seq = 0;
            while (seq < fan_in_messages) {
                std::string batch;
                for (int n = batch_size(random); n > 0 && seq < fan_in_messages; --n)
                    batch += frame(receiver_id, numbered_message(s, seq++));
                senders[static_cast<std::size_t>(s)].send_raw(batch);
            }
        }));
    }

    std::vector<int> next(fan_in_senders, 0);
    std::size_t bytes = 0;
    for (int i = 0; i < fan_in_senders * fan_in_messages; ++i) {
        const std::string payload = receiver.receive_payload();
        bytes += payload.size() + 1;
        int sender = -1;
        int seq = -1;
        if (std::sscanf(payload.c_str(), "s%2d-m%5d-", &sender, &seq) != 2 || sender < 0 ||
            sender >= fan_in_senders)
            FAIL("message " << i << " is not from a sender: '" << payload << "'");
        const int expected = next[static_cast<std::size_t>(sender)]++;
        if (payload != numbered_message(sender, expected))
            FAIL("message " << i << ": expected '" << numbered_message(sender, expected)
                            << "', received '" << payload << "'");
    }
    for (auto& done : sending)
        done.get(); // rethrows a sender's failure
    for (int s = 0; s < fan_in_senders; ++s)
        CHECK(next[static_cast<std::size_t>(s)] == fan_in_messages);
    const Stats stats = server.stats();
    CHECK(stats.frames_routed == fan_in_senders * fan_in_messages);
    CHECK(stats.bytes_routed == bytes);
    receiver.expect_nothing_pending();
}

TEST_CASE("Frames sent just before the sender closes are all delivered") {
    Config config = test_config();
    constexpr std::size_t frames = 1000; // 1 MB
    SECTION("with the default limits") {}
    SECTION("with a low high-water mark, so the sender is paused when it closes") {
        config.high_water = 16 * 1024;
        config.low_water = 4 * 1024;
    }
    TestServer server(config);
    TestClient a = server.connect("A");
    TestClient b = server.connect("B");
    a.read_id(); // nothing unread left behind, so close() sends FIN, not a reset
    const PeerId b_id = b.read_id();

    std::string wire;
    for (std::size_t i = 0; i < frames; ++i)
        wire += frame(b_id, "frame " + std::to_string(i) + " " + std::string(1000, 'p'));
    a.send_raw(wire);
    a.close(); // at once: the server may not have read any of it yet

    for (std::size_t i = 0; i < frames; ++i) {
        const std::string payload = b.receive_payload();
        if (payload != "frame " + std::to_string(i) + " " + std::string(1000, 'p'))
            FAIL("frame " << i << ": received '" << payload.substr(0, 40) << "...'");
    }
    CHECK(server.wait_until([&] { return server.stats().connections_open == 1; }));
    const Stats stats = server.stats();
    CHECK(stats.frames_routed == frames);
    CHECK(stats.frames_dropped_on_close == 0);
    if (config.high_water < 1024 * 1024) {
        INFO("the sender should have been paused at least once, or this section tests nothing");
        CHECK(stats.senders_paused > 0);
    }
}

TEST_CASE("A client that sends to its own ID receives the frame") {
    TestServer server;
    TestClient a = server.connect("A");
    const PeerId a_id = a.read_id();
    a.send_frame(a_id, "note to self");
    CHECK(a.receive_payload() == "note to self");
    a.send_frame(a_id, "and another");
    CHECK(a.receive_payload() == "and another");
    CHECK(server.stats().frames_routed == 2);
}

TEST_CASE(
    "Frames of many sizes, split anywhere, cross small read chunks intact to lagging readers") {
    // The smallest read chunk makes nearly every frame straddle chunks, and receivers that
    // read only at the end keep the chunks referenced from their queues while the reader
    // reuses, moves and replaces its own.
    Config config = test_config();
    config.max_frame = 4096;
    lab::Options options = test_options();
    options.tuning.read_chunk_size = 512;
    TestServer server(config, options);
    TestClient sender = server.connect("sender");
    TestClient b = server.connect("B");
    TestClient c = server.connect("C");
    sender.read_id();
    const PeerId b_id = b.read_id();
    const PeerId c_id = c.read_id();

    const std::uint32_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 random(seed);
    std::string wire;
    std::vector<std::string> to_b;
    std::vector<std::string> to_c;
    for (std::size_t i = 0; i < 1500; ++i) {
        // Sizes from 0 to 4091 (the largest payload max_frame allows), small ones more often.
        const std::size_t size = i % 3 == 0 ? random() % 4092 : random() % 600;
        const std::string payload = random_payload(size, static_cast<std::uint32_t>(random()));
        const bool for_b = random() % 2 == 0;
        (for_b ? to_b : to_c).push_back(payload);
        wire += frame(for_b ? b_id : c_id, payload);
    }
    // Written in pieces of 1 to 1500 bytes, cut without regard to frame boundaries.
    for (std::size_t at = 0; at < wire.size();) {
        const std::size_t piece = std::min<std::size_t>(1 + random() % 1500, wire.size() - at);
        sender.send_raw(std::string_view(wire).substr(at, piece));
        at += piece;
    }

    for (std::size_t i = 0; i < to_b.size(); ++i)
        if (b.receive_payload() != to_b[i])
            FAIL("B: frame " << i << " (" << to_b[i].size() << " bytes) differs");
    for (std::size_t i = 0; i < to_c.size(); ++i)
        if (c.receive_payload() != to_c[i])
            FAIL("C: frame " << i << " (" << to_c[i].size() << " bytes) differs");
    CHECK(server.stats().frames_routed == 1500);
    b.expect_nothing_pending();
    c.expect_nothing_pending();
}
