// `latency`: two clients, A and B, and one message in flight. A sends to B, B sends it back
// as soon as it has it whole, A records the round trip. With --direct, A and B are the two
// ends of one loopback connection of the bench's own (the same frames, no server).
#include "histogram.hpp"
#include "modes.hpp"
#include "net.hpp"
#include "pairs.hpp"
#include "process_stats.hpp"
#include "terminators.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace switchboard::bench {

namespace asio = boost::asio;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto no_throw = asio::as_tuple(use_awaitable);
constexpr auto progress_interval = std::chrono::milliseconds(250);

std::vector<std::byte> make_frame(PeerId destination, std::size_t size) {
    std::vector<std::byte> frame(size + protocol::min_frame_size, std::byte{'x'});
    protocol::store_u32(std::span<std::byte, 4>(frame.data(), 4), destination);
    frame.back() = protocol::terminator;
    return frame;
}

struct PingPong {
    const Options& options;
    Progress& progress;
    tcp::socket a;
    tcp::socket b;
    std::vector<std::byte> a_frame; // A -> B
    std::vector<std::byte> b_frame; // B -> A
    std::size_t delivered_size;
    std::string peer_name;
    bool done = false;
    Failure failure;
    Histogram histogram;
    CpuSample cpu_start;
    CpuSample cpu_end;
};

void fail(PingPong& run, const char* who, const boost::system::error_code& ec) {
    run.failure.set(
        std::string(who) + ": " + run.peer_name +
        (ec == asio::error::eof ? std::string(" closed the connection") : ": " + ec.message()));
}

/// Reads until one whole message has arrived. False on error (recorded unless done).
asio::awaitable<bool> read_one(PingPong& run, tcp::socket& socket, std::vector<std::byte>& buffer,
                               const char* who) {
    for (;;) {
        auto [ec, n] = co_await socket.async_read_some(asio::buffer(buffer), no_throw);
        if (ec) {
            if (!run.done)
                fail(run, who, ec);
            co_return false;
        }
        // One message in flight: its terminator is the last byte that can arrive.
        if (count_terminators(buffer.data(), n, run.delivered_size) > 0)
            co_return true;
    }
}

asio::awaitable<void> ping(PingPong& run) {
    std::vector<std::byte> buffer(run.delivered_size + 64 * 1024);
    const auto start = Clock::now();
    const auto warmup_end = start + run.options.warmup;
    bool measuring = false;
    auto next_progress = start;
    for (;;) {
        const auto now = Clock::now();
        if (!measuring && now >= warmup_end) {
            measuring = true;
            run.cpu_start = sample_cpu(run.options.server_pid);
        }
        if (measuring && (run.options.count ? run.histogram.count() >= *run.options.count
                                            : now >= run.cpu_start.when + run.options.duration))
            break;
        if (run.failure.failed())
            break;
        if (run.progress.enabled() && now >= next_progress) {
            char line[128];
            if (measuring)
                std::snprintf(line, sizeof line, "latency: %llu round trips, p50 %.1f us",
                              static_cast<unsigned long long>(run.histogram.count()),
                              static_cast<double>(run.histogram.percentile(50)) / 1e3);
            else
                std::snprintf(line, sizeof line, "latency: warm-up");
            run.progress.show(line);
            next_progress = now + progress_interval;
        }

        // Timed from here: the bookkeeping above (/proc reads, the progress line) is not.
        const auto t0 = Clock::now();
        auto [ec, n] = co_await asio::async_write(run.a, asio::buffer(run.a_frame), no_throw);
        if (ec) {
            fail(run, "client A", ec);
            break;
        }
        if (!co_await read_one(run, run.a, buffer, "client A"))
            break;
        if (measuring)
            run.histogram.record(static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count()));
    }
    run.cpu_end = sample_cpu(run.options.server_pid);
    run.progress.clear();
    run.done = true;
    boost::system::error_code ignored;
    run.a.close(ignored);
    run.b.close(ignored);
}

asio::awaitable<void> pong(PingPong& run) {
    std::vector<std::byte> buffer(run.delivered_size + 64 * 1024);
    while (co_await read_one(run, run.b, buffer, "client B")) {
        auto [ec, n] = co_await asio::async_write(run.b, asio::buffer(run.b_frame), no_throw);
        if (ec) {
            if (!run.done)
                fail(run, "client B", ec);
            break;
        }
    }
}

asio::awaitable<void> connect_both(tcp::endpoint server, std::string name, std::optional<Client>& a,
                                   std::optional<Client>& b) {
    a.emplace(co_await connect_client(server, name));
    b.emplace(co_await connect_client(server, name));
}

} // namespace

LatencyResult run_latency(const Options& options, Progress& progress) {
    Workers workers(1); // one message in flight: one thread is all it can use
    Failure setup_failure;
    std::optional<Client> a;
    std::optional<Client> b;
    if (options.direct) {
        tcp::acceptor listener = loopback_listener(workers.context(0));
        auto [first, second] = loopback_pair(listener, workers.context(0), workers.context(0));
        a.emplace(Client{std::move(first), direct_destination});
        b.emplace(Client{std::move(second), direct_destination});
    } else {
        workers.spawn(
            0,
            connect_both(resolve(options.server.host, options.server.port), options.target(), a, b),
            setup_failure);
        workers.run(setup_failure);
        setup_failure.rethrow_if_failed();
    }

    const std::size_t delivered =
        options.size + (options.direct ? protocol::min_frame_size : std::size_t{1});
    auto run = std::make_unique<PingPong>(
        options, progress, std::move(a->socket), std::move(b->socket),
        make_frame(b->id, options.size), make_frame(a->id, options.size), delivered,
        options.uses_server() ? options.target() : "the loopback peer");
    workers.spawn(0, pong(*run), run->failure);
    workers.spawn(0, ping(*run), run->failure);
    workers.run(run->failure);
    run->failure.rethrow_if_failed();

    const Histogram& h = run->histogram;
    auto us = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e3; };
    LatencyResult result;
    result.round_trips = h.count();
    result.elapsed_s =
        std::chrono::duration<double>(run->cpu_end.when - run->cpu_start.when).count();
    result.round_trips_per_s = static_cast<double>(result.round_trips) / result.elapsed_s;
    result.min_us = us(h.min());
    result.mean_us = h.mean() / 1e3;
    result.p50_us = us(h.percentile(50));
    result.p90_us = us(h.percentile(90));
    result.p99_us = us(h.percentile(99));
    result.p999_us = us(h.percentile(99.9));
    result.max_us = us(h.max());
    result.cpu = cpu_between(run->cpu_start, run->cpu_end);
    return result;
}

} // namespace switchboard::bench
