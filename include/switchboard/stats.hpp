// Server counters. Each counter has exactly one writer, the server's thread, and may be read
// from any thread: a relaxed load-add-store (not a locked read-modify-write) keeps the hot
// path as cheap as a plain increment while a reader on another thread never sees a torn value.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace switchboard {

/// A monotonically growing (or, for gauges, up-and-down) count with a single writer.
class Counter {
public:
    void add(std::uint64_t n = 1) noexcept {
        value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void sub(std::uint64_t n = 1) noexcept {
        value_.store(value_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
    }
    std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

/// A snapshot of the counters, as returned by Server::stats().
struct Stats {
    std::uint64_t connections_accepted = 0; ///< got an ID
    std::uint64_t connections_closed = 0;   ///< of those, ended (any reason)
    std::uint64_t connections_open = 0;     ///< accepted - closed
    std::uint64_t connections_refused = 0;  ///< over max_connections: closed at once, no ID

    std::uint64_t frames_routed = 0; ///< queued to a live destination
    std::uint64_t bytes_routed = 0;  ///< payload bytes of those, terminators included

    std::uint64_t frames_unknown_destination = 0; ///< dropped: nobody holds the ID
    std::uint64_t frames_dropped_on_close = 0;    ///< queued to a peer that went away first
    std::uint64_t bytes_dropped_on_close = 0;
    std::uint64_t partial_frames_discarded = 0; ///< peer left mid-frame

    std::uint64_t disconnects_frame_too_large = 0;
    std::uint64_t disconnects_slow_consumer = 0;
    std::uint64_t disconnects_error = 0; ///< reset or other socket error
    std::uint64_t senders_paused = 0;    ///< times a reader waited for a full outbox
    std::uint64_t error_notices_sent = 0;
};

/// "connections_accepted=3 connections_closed=3 ... error_notices_sent=0": every counter,
/// for logs and tools.
std::string to_string(const Stats& stats);

/// The live counters inside a server.
struct Counters {
    Counter connections_accepted, connections_closed, connections_refused;
    Counter frames_routed, bytes_routed;
    Counter frames_unknown_destination, frames_dropped_on_close, bytes_dropped_on_close;
    Counter partial_frames_discarded;
    Counter disconnects_frame_too_large, disconnects_slow_consumer, disconnects_error;
    Counter senders_paused, error_notices_sent;

    Stats snapshot() const noexcept;
};

inline Stats Counters::snapshot() const noexcept {
    Stats s;
    // Closed first: it never exceeds accepted, so reading it first keeps `open` from wrapping.
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

} // namespace switchboard
