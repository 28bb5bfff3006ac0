// Counters for the multi-threaded models: any thread may add, so each add is a real atomic
// read-modify-write (fetch_add), unlike stats.hpp's single-writer Counter. The snapshot is
// the same Stats every model reports.
#pragma once

#include <switchboard/stats.hpp>

#include <atomic>
#include <cstdint>

namespace switchboard::detail {

/// A count with many writers. Relaxed: a counter orders nothing, it is only read for Stats.
class SharedCounter {
public:
    void add(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    std::uint64_t get() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> value_{0};
};

struct SharedCounters {
    SharedCounter connections_accepted, connections_closed, connections_refused;
    SharedCounter frames_routed, bytes_routed;
    SharedCounter frames_unknown_destination, frames_dropped_on_close, bytes_dropped_on_close;
    SharedCounter partial_frames_discarded;
    SharedCounter disconnects_frame_too_large, disconnects_slow_consumer, disconnects_error;
    SharedCounter senders_paused, error_notices_sent;

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

} // namespace switchboard::detail
