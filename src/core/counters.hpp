// The live counters behind switchboard::Stats, for every model. Stats is the snapshot value a
// caller gets; these are what the relay increments. The counter type is the one thing that
// depends on how a model shares its state:
// - OneWriterCounter: only the server's thread adds, any thread reads. A relaxed load and
//   store (not a locked read-modify-write) costs what a plain increment costs, and a reader
//   on another thread never sees a torn value.
// - SharedCounter: any thread adds (the thread-pool models), so an add is a real atomic
//   fetch_add. Relaxed either way: a counter orders nothing, it is only read for Stats.
#pragma once

#include <switchboard/stats.hpp>

#include <atomic>
#include <cstdint>

namespace switchboard::core {

class OneWriterCounter {
public:
    void add(std::uint64_t n = 1) noexcept {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

class SharedCounter {
public:
    void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// One counter per field of Stats (connections_open is derived).
template <typename Counter>
struct BasicCounters {
    Counter connections_accepted, connections_closed, connections_refused;
    Counter frames_routed, bytes_routed;
    Counter frames_unknown_destination, frames_dropped_on_close, bytes_dropped_on_close;
    Counter partial_frames_discarded;
    Counter disconnects_frame_too_large, disconnects_slow_consumer, disconnects_error;
    Counter senders_paused, error_notices_sent;

    Stats snapshot() const noexcept {
        Stats s;
        // Closed first: it never exceeds accepted, so reading it first keeps `open` from
        // wrapping.
        s.connections_closed = connections_closed.get();
        s.connections_accepted = connections_accepted.get();
        s.connections_open = s.connections_accepted - s.connections_closed;
        s.connections_refused = connections_refused.get();
        s.frames_routed = frames_routed.get();
        s.bytes_routed = bytes_routed.get();
        s.frames_unknown_destination = frames_unknown_destination.get();
        s.frames_dropped_on_close = frames_dropped_on_close.get();
        s.bytes_dropped_on_close = bytes_dropped_on_close.get();
        s.partial_frames_discarded = partial_frames_discarded.get();
        s.disconnects_frame_too_large = disconnects_frame_too_large.get();
        s.disconnects_slow_consumer = disconnects_slow_consumer.get();
        s.disconnects_error = disconnects_error.get();
        s.senders_paused = senders_paused.get();
        s.error_notices_sent = error_notices_sent.get();
        return s;
    }
};

/// The counters of a server whose state one thread owns (single-task, race, reactor).
using Counters = BasicCounters<OneWriterCounter>;
/// The counters of a server whose threads all add (mutex, channels).
using SharedCounters = BasicCounters<SharedCounter>;

} // namespace switchboard::core
