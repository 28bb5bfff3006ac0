// Soak test: many clients send random-size frames to random live peers while some connect
// and disconnect. Every frame carries (sender, sequence number for that receiver) and a
// filler derived from both, so a receiver can check that what it got from each sender is
// exactly 0, 1, 2, ... with intact bytes. At the end, every receiver that stayed connected
// must have received every frame sent to it; receivers that left must have seen a gap-free
// prefix.
//
// The server runs on its own thread (as in production: one thread); all clients run as
// coroutines on a second thread. Usage: soak [--duration 60s] [--clients 40] [--seed N]
#include <switchboard/protocol.hpp>
#include <switchboard/server.hpp>
#include <switchboard/units.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::chrono::milliseconds duration{60'000};
    int clients = 40;
    std::uint32_t seed = 1;
};

/// The filler byte at position i of frame (sender, seq): never 0, so it is a valid payload.
char filler(std::uint64_t sender, std::uint64_t seq, std::size_t i) {
    return static_cast<char>(1 + (sender * 131 + seq * 31 + i * 7) % 255);
}

struct Session;

/// State shared by all client coroutines (one thread: no locks).
struct World {
    std::mt19937 random;
    std::vector<Session*> live; ///< sessions that may be sent to
    std::uint64_t next_uid = 1;
    bool stopping = false; ///< no more sends, no more churn
    std::uint64_t frames_sent = 0, frames_received = 0, bytes_received = 0;
    std::uint64_t sessions_started = 0, sessions_left = 0;
    std::vector<std::string> failures;

    void fail(std::string message) {
        if (failures.size() < 20)
            failures.push_back(std::move(message));
    }
};

/// A co_spawn completion handler that records an escaped exception as a soak failure
/// (`detached` would swallow it).
auto record_failure(World& world, const char* what) {
    return [&world, what](std::exception_ptr e) {
        if (!e)
            return;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            world.fail(std::string(what) + ": " + ex.what());
        }
    };
}

struct Session {
    std::uint64_t uid = 0;
    switchboard::PeerId id = 0;
    tcp::socket socket;
    bool leaving = false;
    bool closed = false;
    /// Per sender uid: next expected sequence number.
    std::unordered_map<std::uint64_t, std::uint64_t> expected;
    /// Per receiver uid: how many frames this session has sent to it.
    std::unordered_map<std::uint64_t, std::uint64_t> sent_to;
    explicit Session(asio::any_io_executor ex)
        : socket(ex) {}
};

/// Everything ever sent, by (sender uid, receiver uid): checked against what arrived.
std::map<std::pair<std::uint64_t, std::uint64_t>, std::uint64_t> g_sent;
/// Receivers that stayed connected to the end, by uid.
std::map<std::uint64_t, std::shared_ptr<Session>> g_survivors;

awaitable<void> reader(World& world, std::shared_ptr<Session> self) {
    std::string buffer;
    std::size_t scanned = 0;
    char chunk[65536];
    for (;;) {
        auto [ec, n] = co_await self->socket.async_read_some(asio::buffer(chunk),
                                                             asio::as_tuple(use_awaitable));
        if (ec) {
            if (self->leaving) {
                // The server's FIN after our own: everything it had queued for us has been
                // read, so closing now cannot reset the connection (see session()).
                boost::system::error_code ignored;
                self->socket.close(ignored);
            } else if (!world.stopping) {
                world.fail("session " + std::to_string(self->uid) + " lost: " + ec.message());
            }
            co_return;
        }
        buffer.append(chunk, n);
        for (;;) {
            const auto end = buffer.find('\0', scanned);
            if (end == std::string::npos) {
                scanned = buffer.size();
                break;
            }
            // "S<uid>:<seq>:" then filler.
            unsigned long long sender = 0, seq = 0;
            int header = 0;
            if (std::sscanf(buffer.c_str(), "S%llu:%llu:%n", &sender, &seq, &header) != 2) {
                world.fail("malformed payload at session " + std::to_string(self->uid));
                co_return;
            }
            for (std::size_t i = static_cast<std::size_t>(header); i < end; ++i)
                if (buffer[i] != filler(sender, seq, i)) {
                    world.fail("corrupt byte in frame " + std::to_string(sender) + ":" +
                               std::to_string(seq));
                    break;
                }
            auto& next = self->expected[sender];
            if (seq != next)
                world.fail("session " + std::to_string(self->uid) + " got " +
                           std::to_string(sender) + ":" + std::to_string(seq) + ", expected " +
                           std::to_string(next));
            next = seq + 1;
            ++world.frames_received;
            world.bytes_received += end + 1;
            buffer.erase(0, end + 1);
            scanned = 0;
        }
    }
}

awaitable<void> sender(World& world, std::shared_ptr<Session> self, Clock::time_point leave_at) {
    asio::steady_timer pause(self->socket.get_executor());
    std::string batch;
    while (!world.stopping && Clock::now() < leave_at) {
        batch.clear();
        const int frames = 1 + static_cast<int>(world.random() % 8);
        for (int f = 0; f < frames && !world.live.empty(); ++f) {
            Session* to = world.live[world.random() % world.live.size()];
            const std::uint64_t seq = self->sent_to[to->uid]++;
            // Mostly small, sometimes up to 64 KiB.
            const std::size_t size =
                world.random() % 10 == 0 ? world.random() % 65536 : world.random() % 512;
            std::string payload = "S" + std::to_string(self->uid) + ":" + std::to_string(seq) + ":";
            const std::size_t header = payload.size();
            payload.resize(header + size);
            for (std::size_t i = header; i < payload.size(); ++i)
                payload[i] = filler(self->uid, seq, i);
            batch += switchboard::protocol::encode_frame(to->id, payload);
            ++g_sent[{self->uid, to->uid}];
            ++world.frames_sent;
        }
        auto [ec, n] = co_await asio::async_write(self->socket, asio::buffer(batch),
                                                  asio::as_tuple(use_awaitable));
        if (ec) {
            world.fail("send failed for session " + std::to_string(self->uid) + ": " +
                       ec.message());
            co_return;
        }
        pause.expires_after(std::chrono::microseconds(world.random() % 2000));
        co_await pause.async_wait(asio::as_tuple(use_awaitable));
    }
}

awaitable<void> session(World& world, tcp::endpoint server, Clock::time_point leave_at) {
    auto self = std::make_shared<Session>(co_await asio::this_coro::executor);
    self->uid = world.next_uid++;
    co_await self->socket.async_connect(server, use_awaitable);
    unsigned char id[4];
    co_await asio::async_read(self->socket, asio::buffer(id), use_awaitable);
    self->id = switchboard::protocol::load_u32(
        std::span<const std::byte, 4>(reinterpret_cast<const std::byte*>(id), 4));
    ++world.sessions_started;
    world.live.push_back(self.get());
    asio::co_spawn(self->socket.get_executor(), reader(world, self),
                   record_failure(world, "reader"));
    co_await sender(world, self, leave_at);
    if (world.stopping && Clock::now() < leave_at) {
        g_survivors[self->uid] = self; // stays connected: checked for completeness
        co_return;
    }
    // Leave: no longer a destination; send-then-close, so what we sent still arrives. Only
    // the sending half is closed here: closing the socket while frames to us are still
    // unread would make the kernel answer with a reset and throw away whatever of ours it
    // had not yet transmitted (on a loaded machine, the tail of the last batch). The reader
    // keeps reading until the server, having seen our EOF and flushed our outbox, closes its
    // side; then it closes the socket.
    self->leaving = true;
    std::erase(world.live, self.get());
    ++world.sessions_left;
    boost::system::error_code ignored;
    self->socket.shutdown(tcp::socket::shutdown_send, ignored);
}

std::optional<Options> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        const std::string_view value = argv[i + 1];
        if (name == "--duration") {
            auto d = switchboard::parse_duration(value);
            if (!d)
                return std::nullopt;
            o.duration = *d;
        } else if (name == "--clients") {
            o.clients = std::stoi(std::string(value));
        } else if (name == "--seed") {
            o.seed = static_cast<std::uint32_t>(std::stoul(std::string(value)));
        } else {
            return std::nullopt;
        }
    }
    if (argc % 2 == 0)
        return std::nullopt;
    return o;
}

} // namespace

int main(int argc, char** argv) {
    const auto options = parse(argc, argv);
    if (!options) {
        std::cerr << "usage: soak [--duration 60s] [--clients 40] [--seed N]\n";
        return 2;
    }

    // The server: its own io_context and thread, as in production.
    asio::io_context server_io(1);
    switchboard::Config config;
    config.port = 0;
    config.log_level = switchboard::LogLevel::warning;
    switchboard::Server server(server_io, config);
    server.start();
    std::thread server_thread([&] { server_io.run(); });
    const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), server.port());

    // The clients: one io_context on this thread.
    asio::io_context io(1);
    World world;
    world.random.seed(options->seed);
    const auto start = Clock::now();
    const auto end = start + options->duration;
    auto spawn_session = [&](Clock::time_point leave_at) {
        asio::co_spawn(io, session(world, endpoint, leave_at), record_failure(world, "session"));
    };
    // A third of the clients are churners with short lives; a new one replaces each.
    asio::co_spawn(
        io,
        [&]() -> awaitable<void> {
            asio::steady_timer timer(io);
            for (int i = 0; i < options->clients; ++i)
                spawn_session(i % 3 == 0 ? Clock::now() +
                                               std::chrono::milliseconds(50 + world.random() % 500)
                                         : Clock::time_point::max());
            while (Clock::now() < end) {
                timer.expires_after(std::chrono::milliseconds(100));
                co_await timer.async_wait(use_awaitable);
                const auto alive = world.sessions_started - world.sessions_left;
                for (auto missing = static_cast<int>(options->clients) - static_cast<int>(alive);
                     missing > 0; --missing)
                    spawn_session(Clock::now() +
                                  std::chrono::milliseconds(50 + world.random() % 500));
            }
            world.stopping = true;
        },
        record_failure(world, "churn"));
    io.run_for(options->duration + std::chrono::seconds(1));

    // Drain: keep reading until every survivor has everything sent to it, or time out.
    // Every (sender, survivor) pair whose frames have not all arrived: sender, receiver,
    // frames received, frames sent.
    struct Shortfall {
        std::uint64_t sender, receiver, received, sent;
    };
    auto shortfalls = [&] {
        std::vector<Shortfall> missing;
        for (const auto& [key, count] : g_sent) {
            const auto it = g_survivors.find(key.second);
            if (it == g_survivors.end())
                continue;
            const auto got = it->second->expected.find(key.first);
            const std::uint64_t received = got == it->second->expected.end() ? 0 : got->second;
            if (received != count)
                missing.push_back({key.first, key.second, received, count});
        }
        return missing;
    };
    auto complete = [&] { return shortfalls().empty(); };
    const auto drain_deadline = Clock::now() + std::chrono::seconds(20);
    io.restart();
    while (!complete() && Clock::now() < drain_deadline && world.failures.empty())
        io.run_for(std::chrono::milliseconds(50));
    const bool all_arrived = complete();

    for (auto& [uid, s] : g_survivors) {
        boost::system::error_code ignored;
        s->socket.close(ignored);
    }
    io.restart();
    io.run_for(std::chrono::seconds(1));
    server.stop();
    server_thread.join();

    const auto stats = server.stats();
    const double seconds = std::chrono::duration<double>(options->duration).count();
    std::printf("soak: %.0fs, %llu sessions (%llu left early), %llu frames sent, %llu received "
                "(%.1f MiB), server routed %llu, unknown destination %llu\n",
                seconds, static_cast<unsigned long long>(world.sessions_started),
                static_cast<unsigned long long>(world.sessions_left),
                static_cast<unsigned long long>(world.frames_sent),
                static_cast<unsigned long long>(world.frames_received),
                double(world.bytes_received) / (1 << 20),
                static_cast<unsigned long long>(stats.frames_routed),
                static_cast<unsigned long long>(stats.frames_unknown_destination));
    if (!all_arrived) {
        world.fail("not every frame sent to a surviving session arrived within 20s");
        // Say which: whether the senders had left tells a lost tail on close from a stall.
        for (const auto& m : shortfalls())
            world.fail("session " + std::to_string(m.receiver) + " got " +
                       std::to_string(m.received) + " of " + std::to_string(m.sent) +
                       " frames from session " + std::to_string(m.sender) +
                       (g_survivors.contains(m.sender) ? " (still connected)" : " (had left)"));
    }
    if (stats.connections_open != 0)
        world.fail("server still has " + std::to_string(stats.connections_open) +
                   " connections open after stop");
    for (const auto& f : world.failures)
        std::printf("soak: FAILED: %s\n", f.c_str());
    std::printf("%s\n", world.failures.empty() ? "1 passed, 0 failed" : "0 passed, 1 failed");
    return world.failures.empty() ? 0 : 1;
}
