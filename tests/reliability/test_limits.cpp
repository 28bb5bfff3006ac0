// Limits (docs/protocol.md, "Bad input and limits"): the connection limit and its slots, many
// concurrent connections, and a flood of garbage against a small max_frame.
#include "reliability_support.hpp"
#include "test_client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

using namespace switchboard;
using namespace switchboard::literals;
using namespace switchboard::test;
using namespace switchboard::reliability;
using namespace std::chrono_literals;

namespace {

std::size_t count_lines_containing(const std::vector<std::string>& lines, std::string_view a,
                                   std::string_view b = {}) {
    return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
        return l.find(a) != std::string::npos && l.find(b) != std::string::npos;
    }));
}

} // namespace

TEST_CASE("At max_connections a new connection gets no ID, and every way of leaving frees a "
          "slot") {
    Config config = test_config();
    config.max_connections = 5;
    config.max_frame = 4_KiB;
    TestServer server(config);
    std::vector<TestClient> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(server.connect("client " + std::to_string(i)));
        clients.back().read_id();
    }

    const std::vector<std::string> ways = {"close", "reset", "half-close", "oversized frame",
                                           "close with unread data"};
    for (std::size_t round = 0; round < ways.size(); ++round) {
        INFO("round " << round << ": a client leaves by " << ways[round]);
        // Full: the next connection is accepted and closed at once, with no byte sent.
        TestClient extra = server.connect("one too many");
        extra.expect_eof();
        REQUIRE(server.wait_until([&] { return server.stats().connections_refused == round + 1; }));
        Stats stats = server.stats();
        CHECK(stats.connections_open == 5);
        CHECK(stats.connections_accepted == 5 + round); // a refused connection is not accepted

        TestClient& leaving = clients[round];
        TestClient& other = clients[(round + 1) % clients.size()];
        switch (round) {
        case 0:
            leaving.close();
            break;
        case 1:
            leaving.reset();
            break;
        case 2:
            leaving.shutdown_write();
            leaving.expect_eof();
            leaving.close();
            break;
        case 3:
            leaving.send_raw(frame(other.id(), "").substr(0, 4) + std::string(4_KiB, 'x'));
            leaving.expect_closed_or_reset();
            break;
        case 4:
            other.send_frame(leaving.id(), "never read");
            other.send_frame(other.id(), "sync");
            REQUIRE(other.receive_payload() == "sync");
            leaving.close(); // unread data: the kernel sends a reset
            break;
        }
        REQUIRE(server.wait_until([&] { return server.stats().connections_open == 4; }));

        TestClient replacement = server.connect("replacement " + std::to_string(round));
        const PeerId id = replacement.read_id();
        for (const TestClient& c : clients)
            CHECK((c.id() != id || &c == &leaving));
        replacement.send_frame(other.id(), "hello from the replacement");
        CHECK(other.receive_payload() == "hello from the replacement");
        leaving = std::move(replacement);
        CHECK(server.stats().connections_open == 5);
    }

    const Stats stats = server.stats();
    CHECK(stats.connections_refused == ways.size());
    CHECK(stats.connections_accepted == 5 + ways.size());
    CHECK(stats.connections_closed == ways.size());
    CHECK(count_lines_containing(server.log_lines(), "warning: refused 127.0.0.1:",
                                 "at max_connections (5)") == ways.size());
}

TEST_CASE("5000 concurrent connections get distinct IDs, and the first and the last can talk") {
    constexpr std::size_t count = 5000;
    // The clients and the server are in this one process: two descriptors per connection.
    constexpr std::uint64_t needed = 2 * count + 100;
    const auto [soft_before, soft_now] = raise_open_files_limit();
    ScopeExit restore([soft = soft_before] { set_open_files_limit(soft); });
    if (soft_now < needed) {
        WARN("SKIPPED: this test needs " << needed << " open files; RLIMIT_NOFILE allows "
                                         << soft_now << " (raise the hard limit: ulimit -Hn)");
        return;
    }

    TestServer server;
    TestClient first = server.connect("first");
    const PeerId first_id = first.read_id();
    std::vector<Connection> middle = open_connections(server.port(), count - 2, 256, 30s);
    TestClient last = server.connect("last");
    const PeerId last_id = last.read_id();

    std::unordered_set<PeerId> ids{first_id, last_id};
    for (const Connection& c : middle)
        ids.insert(c.id);
    CHECK(ids.size() == count);
    CHECK(
        std::all_of(ids.begin(), ids.end(), [](PeerId id) { return protocol::is_assignable(id); }));
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == count; }));

    first.send_frame(last_id, "from the first");
    CHECK(last.receive_payload() == "from the first");
    last.send_frame(first_id, "from the last");
    CHECK(first.receive_payload() == "from the last");

    // Everybody leaves, and nobody is left behind.
    middle.clear();
    first.close();
    last.close();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 0; }, 30s));
    const Stats stats = server.stats();
    CHECK(stats.connections_accepted == count);
    CHECK(stats.connections_closed == count);
    CHECK(stats.connections_refused == 0);
    CHECK(stats.frames_routed == 2);
}

namespace {

/// A client of the garbage flood and the bytes it sends.
struct Garbage {
    std::string kind;
    std::unique_ptr<TestClient> client;
    PeerId id = 0;
    std::string stream;
    StreamModel model;
};

std::string random_bytes(std::mt19937& random, std::size_t size) {
    std::string out(size, '\0');
    for (char& c : out)
        c = static_cast<char>(random() & 0xff); // zeros included
    return out;
}

std::string random_frames(std::mt19937& random, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        PeerId destination = random();
        if (i % 50 == 0)
            destination = i % 100 == 0 ? protocol::reserved_id_low : protocol::reserved_id_high;
        out += frame(destination, random_payload(random() % 3000, random()));
    }
    return out;
}

/// Garbage of one kind; what the server makes of it is predicted by model_stream.
std::string make_garbage(std::size_t kind, std::mt19937& random) {
    switch (kind) {
    case 0: // random bytes, 0x00 among them: short frames to random IDs
        return random_bytes(random, 256_KiB);
    case 1: // well-formed frames to random and reserved IDs
        return random_frames(random, 300);
    case 2: // frames, then a run twice max_frame long without a terminator
        return random_frames(random, 50) + random_payload(8_KiB, random());
    default: // not a single terminator
        return random_payload(64_KiB, random());
    }
}

} // namespace

TEST_CASE("A flood of garbage disconnects exactly the senders of oversized frames and disturbs "
          "nobody") {
    Config config = test_config();
    config.max_frame = 4_KiB;
    TestServer server(config);
    TestClient p = server.connect("P (bystander)");
    TestClient q = server.connect("Q (bystander)");
    const PeerId p_id = p.read_id();
    const PeerId q_id = q.read_id();

    const std::uint32_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 random(seed);
    constexpr std::size_t kinds = 4;
    constexpr std::size_t per_kind = 2;
    std::vector<Garbage> garbage;
    std::set<PeerId> live{p_id, q_id};
    for (std::size_t i = 0; i < kinds * per_kind; ++i) {
        Garbage g;
        g.kind = "garbage " + std::to_string(i) + " (kind " + std::to_string(i % kinds) + ")";
        g.client = std::make_unique<TestClient>(server.port(), g.kind);
        g.client->set_timeout(10s);
        g.id = g.client->read_id();
        live.insert(g.id);
        garbage.push_back(std::move(g));
    }
    std::size_t expected_unknown = 0;
    std::size_t expected_cut = 0;
    for (std::size_t i = 0; i < garbage.size(); ++i) {
        Garbage& g = garbage[i];
        // Redraw in the (astronomically unlikely) case that garbage addresses a live client.
        for (;;) {
            g.stream = make_garbage(i % kinds, random);
            g.model = model_stream(g.stream, config.max_frame);
            if (!g.model.too_large && g.model.partial > 0) {
                // Finish the last frame, so that the client's self-frame below is parsed as one.
                if (g.model.partial < protocol::id_size)
                    g.stream.append(protocol::id_size - g.model.partial, '\xff');
                g.stream += '\0';
                g.model = model_stream(g.stream, config.max_frame);
            }
            if (std::none_of(g.model.destinations.begin(), g.model.destinations.end(),
                             [&](PeerId d) { return live.count(d) != 0; }))
                break;
        }
        REQUIRE(g.model.partial == 0);
        expected_unknown += g.model.destinations.size();
        expected_cut += g.model.too_large ? 1 : 0;
    }
    REQUIRE(expected_cut >= per_kind * 2); // kinds 2 and 3 always overrun max_frame

    // All at once, each from its own thread.
    std::vector<std::unique_ptr<Worker>> workers;
    for (Garbage& g : garbage) {
        workers.push_back(std::make_unique<Worker>(g.kind, [&g] {
            TestClient& client = *g.client;
            const bool sent = send_until_disconnected(client, g.stream);
            if (g.model.too_large) {
                client.expect_closed_or_reset();
                return;
            }
            if (!sent)
                throw TestFailure("disconnected, but it sent no oversized frame");
            // Its self-frame comes back once everything it sent before has been handled.
            client.send_frame(g.id, "sync");
            const std::string payload = client.receive_payload();
            if (payload != "sync")
                throw TestFailure("expected its sync frame back, received something else");
        }));
    }
    // Meanwhile the bystanders talk.
    for (int i = 0; i < 100; ++i) {
        p.send_frame(q_id, "to Q " + std::to_string(i));
        REQUIRE(q.receive_payload() == "to Q " + std::to_string(i));
        q.send_frame(p_id, "to P " + std::to_string(i));
        REQUIRE(p.receive_payload() == "to P " + std::to_string(i));
    }
    for (auto& worker : workers) {
        worker->join();
        CHECK(worker->error().empty());
    }

    const std::size_t survivors = garbage.size() - expected_cut;
    REQUIRE(
        server.wait_until([&] { return server.stats().connections_open == 2 + survivors; }, 5s));
    Stats stats = server.stats();
    CHECK(stats.disconnects_frame_too_large == expected_cut);
    CHECK(stats.frames_unknown_destination == expected_unknown);
    CHECK(stats.frames_routed == 200 + survivors); // the bystanders' and the syncs
    CHECK(stats.disconnects_slow_consumer == 0);
    CHECK(count_lines_containing(server.log_lines(), "frame too large") == expected_cut);
    p.expect_nothing_pending();
    q.expect_nothing_pending();

    // The survivors leave; a fresh pair still exchanges messages.
    for (Garbage& g : garbage)
        g.client->close();
    REQUIRE(server.wait_until([&] { return server.stats().connections_open == 2; }));
    TestClient e = server.connect("E");
    TestClient f = server.connect("F");
    const PeerId e_id = e.read_id();
    const PeerId f_id = f.read_id();
    e.send_frame(f_id, "after the flood");
    CHECK(f.receive_payload() == "after the flood");
    f.send_frame(e_id, "indeed");
    CHECK(e.receive_payload() == "indeed");
    p.send_frame(q_id, "still here");
    CHECK(q.receive_payload() == "still here");
    stats = server.stats();
    CHECK(stats.connections_open == 4);
    CHECK(stats.connections_accepted == 4 + garbage.size());
}
