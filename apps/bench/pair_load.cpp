#include "pair_load.hpp"

#include "process_stats.hpp"
#include "terminators.hpp"

#include <switchboard/config.hpp>
#include <switchboard/units.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>

namespace switchboard::bench {

namespace asio = boost::asio;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace switchboard::literals;

namespace {

constexpr auto no_throw = asio::as_tuple(use_awaitable);
/// Largest write of a sender (fewer frames when the window is smaller).
constexpr std::size_t max_write_bytes = 256_KiB;
constexpr std::size_t read_buffer_bytes = 256_KiB;
/// How often the controller looks at the counters (progress line, failures).
constexpr auto tick = 250ms;
/// After the measured interval: how long the messages in flight may take to arrive.
constexpr auto drain_timeout = 10s;

/// One pair's state. Sender and receiver run on the same thread and share it without locks;
/// the counters are atomics only so that the controller may read them from another thread
/// (with --threads). Each counter has a single writer.
struct alignas(64) Pair {
    Pair(PairLink link, const LoadSettings& settings)
        : sender(std::move(link.sender))
        , receiver(std::move(link.receiver))
        , window_open(sender.get_executor(), asio::steady_timer::time_point::max()) {
        const std::size_t frame_size = settings.size + protocol::min_frame_size;
        batch = std::clamp<std::size_t>(max_write_bytes / frame_size, 1, settings.window);
        // `batch` identical frames, prebuilt: a write of n frames is a prefix of this buffer.
        frames.resize(batch * frame_size);
        for (std::size_t f = 0; f < batch; ++f) {
            std::byte* frame = frames.data() + f * frame_size;
            protocol::store_u32(std::span<std::byte, 4>(frame, 4), link.destination);
            for (std::size_t i = 0; i < settings.size; ++i)
                frame[protocol::id_size + i] = static_cast<std::byte>('a' + i % 26);
            frame[frame_size - 1] = protocol::terminator;
        }
        inbox.resize(read_buffer_bytes);
    }

    tcp::socket sender;
    tcp::socket receiver;
    /// The sender waits on this timer, which never expires, while its window is full; the
    /// receiver cancels it when it has counted messages (the window has room), the controller
    /// to stop. A cancel with nobody waiting does nothing, which is right: the sender checks
    /// its window before it waits, with no await in between.
    asio::steady_timer window_open;
    std::vector<std::byte> frames;
    std::size_t batch = 1;
    std::vector<std::byte> inbox;

    std::atomic<std::uint64_t> sent{0};
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> received_bytes{0};
    std::atomic<bool> sender_done{false};
};

struct Load {
    const LoadSettings& settings;
    std::size_t frame_size;
    std::vector<std::unique_ptr<Pair>> pairs;
    /// Set by the controller (any thread): senders stop; then sockets are closed.
    std::atomic<bool> stopping{false};
    std::atomic<bool> closing{false};
    Failure failure;

    std::uint64_t received() const {
        std::uint64_t total = 0;
        for (const auto& pair : pairs)
            total += pair->received.load(std::memory_order_relaxed);
        return total;
    }
    /// Every sender has stopped and every message it sent has been counted.
    bool drained() const {
        return std::all_of(pairs.begin(), pairs.end(), [](const auto& pair) {
            return pair->sender_done.load(std::memory_order_acquire) &&
                   pair->received.load(std::memory_order_relaxed) ==
                       pair->sent.load(std::memory_order_relaxed);
        });
    }
};

asio::awaitable<void> send_loop(Load& load, Pair& pair) {
    const std::size_t window = load.settings.window;
    std::uint64_t sent = 0;
    while (!load.stopping.load(std::memory_order_relaxed)) {
        const std::uint64_t in_flight = sent - pair.received.load(std::memory_order_relaxed);
        if (in_flight >= window) {
            // Checked and started without an await between: a notify cannot be missed.
            co_await pair.window_open.async_wait(no_throw);
            continue;
        }
        const std::size_t n = std::min<std::size_t>(window - in_flight, pair.batch);
        // Counted before writing: the receiver may count some before the write completes.
        sent += n;
        pair.sent.store(sent, std::memory_order_relaxed);
        auto [ec, written] = co_await asio::async_write(
            pair.sender, asio::buffer(pair.frames.data(), n * load.frame_size), no_throw);
        if (ec) {
            if (!load.closing)
                load.failure.set("sender: writing to " + load.settings.peer_name + ": " +
                                 ec.message());
            break;
        }
    }
    pair.sender_done.store(true, std::memory_order_release);
}

asio::awaitable<void> receive_loop(Load& load, Pair& pair) {
    const std::size_t spacing = load.settings.delivered_size;
    std::uint64_t received = 0;
    std::uint64_t bytes = 0;
    for (;;) {
        auto [ec, n] = co_await pair.receiver.async_read_some(asio::buffer(pair.inbox), no_throw);
        if (ec) {
            if (!load.closing)
                load.failure.set("receiver: " + load.settings.peer_name +
                                 (ec == asio::error::eof ? std::string(" closed the connection")
                                                         : ": " + ec.message()));
            co_return;
        }
        received += count_terminators(pair.inbox.data(), n, spacing);
        bytes += n;
        pair.received.store(received, std::memory_order_relaxed);
        pair.received_bytes.store(bytes, std::memory_order_relaxed);
        pair.window_open.cancel();
    }
}

asio::awaitable<void> pause(asio::steady_timer& timer, Clock::time_point until) {
    timer.expires_at(until);
    co_await timer.async_wait(no_throw);
}

std::string progress_line(const std::string& label, double done_s, double total_s,
                          const std::string& what) {
    char text[160];
    std::snprintf(text, sizeof text, "%s: %s %.1f/%.1f s", label.c_str(), what.c_str(), done_s,
                  total_s);
    return text;
}

/// Runs on context 0: times the phases, samples the counters, stops and drains the pairs.
asio::awaitable<void> control(Load& load, Progress& progress, ThroughputResult& result) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto& settings = load.settings;
    const double warmup_s = std::chrono::duration<double>(settings.warmup).count();
    const double duration_s = std::chrono::duration<double>(settings.duration).count();

    const auto start = Clock::now();
    for (auto now = start; now < start + settings.warmup && !load.failure.failed();
         now = Clock::now()) {
        progress.show(progress_line(settings.label,
                                    std::chrono::duration<double>(now - start).count(), warmup_s,
                                    "warm-up"));
        co_await pause(timer, std::min(now + tick, start + settings.warmup));
    }

    const CpuSample cpu_begin = sample_cpu(settings.server_pid);
    const std::uint64_t begin = load.received();
    const auto end_time = cpu_begin.when + settings.duration;
    std::uint64_t last = begin;
    auto last_time = cpu_begin.when;
    while (Clock::now() < end_time && !load.failure.failed()) {
        co_await pause(timer, std::min(Clock::now() + tick, end_time));
        const auto now = Clock::now();
        const std::uint64_t count = load.received();
        const double rate = static_cast<double>(count - last) /
                            std::chrono::duration<double>(now - last_time).count();
        progress.show(progress_line(settings.label,
                                    std::chrono::duration<double>(now - cpu_begin.when).count(),
                                    duration_s, human_number(rate) + " msg/s"));
        last = count;
        last_time = now;
    }
    const CpuSample cpu_end = sample_cpu(settings.server_pid);
    const std::uint64_t end = load.received();
    progress.clear();

    // Stop the senders (a sender waiting for its window is woken on its own thread), then
    // wait for what is in flight.
    load.stopping = true;
    for (auto& pair : load.pairs)
        asio::post(pair->sender.get_executor(), [p = pair.get()] { p->window_open.cancel(); });
    const auto drain_deadline = Clock::now() + drain_timeout;
    while (!load.drained() && !load.failure.failed() && Clock::now() < drain_deadline)
        co_await pause(timer, Clock::now() + 1ms);

    result.messages = end - begin;
    result.elapsed_s = std::chrono::duration<double>(cpu_end.when - cpu_begin.when).count();
    result.messages_per_s = static_cast<double>(result.messages) / result.elapsed_s;
    result.mb_per_s = result.messages_per_s * static_cast<double>(settings.size) / 1e6;
    result.cpu = cpu_between(cpu_begin, cpu_end);

    load.closing = true;
    for (auto& pair : load.pairs)
        asio::post(pair->sender.get_executor(), [p = pair.get()] {
            boost::system::error_code ignored;
            p->sender.close(ignored);
            p->receiver.close(ignored);
            p->window_open.cancel();
        });
}

} // namespace

LoadSettings load_settings(const Options& options) {
    LoadSettings settings;
    settings.size = options.size;
    settings.window = options.window;
    settings.warmup = options.warmup;
    settings.duration = options.duration;
    settings.server_pid = options.server_pid;
    settings.label = std::string(to_string(options.mode));
    settings.peer_name = options.uses_server() ? options.target() : "the loopback peer";
    // Through a relay a receiver gets the payload and its terminator; directly, the frame.
    settings.delivered_size = options.size + (options.uses_server() ? 1 : protocol::min_frame_size);
    return settings;
}

ThroughputResult run_pair_load(Workers& workers, std::vector<PairLink> links,
                               const LoadSettings& settings, Progress& progress) {
    Load load{settings, settings.size + protocol::min_frame_size, {}, {}, {}, {}};
    for (auto& link : links)
        load.pairs.push_back(std::make_unique<Pair>(std::move(link), settings));

    ThroughputResult result;
    workers.spawn(0, control(load, progress, result), load.failure);
    for (std::size_t i = 0; i < load.pairs.size(); ++i) {
        workers.spawn(i, receive_loop(load, *load.pairs[i]), load.failure);
        workers.spawn(i, send_loop(load, *load.pairs[i]), load.failure);
    }
    workers.run(load.failure);
    load.failure.rethrow_if_failed();

    for (const auto& pair : load.pairs) {
        result.sent += pair->sent;
        result.received += pair->received;
        result.received_bytes += pair->received_bytes;
    }
    result.expected_bytes = result.received * settings.delivered_size;
    if (result.received != result.sent)
        throw BenchError(std::to_string(result.sent - result.received) + " of " +
                         std::to_string(result.sent) + " messages sent were not received " +
                         "within " + std::to_string(drain_timeout.count()) + " s of the end");
    if (result.received_bytes != result.expected_bytes)
        throw BenchError("the receivers read " + std::to_string(result.received_bytes) +
                         " bytes for " + std::to_string(result.received) + " messages of " +
                         std::to_string(settings.delivered_size) + " bytes: payloads were " +
                         "altered, split or merged");
    return result;
}

} // namespace switchboard::bench
