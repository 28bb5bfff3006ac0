// A peer's write queue, without IO: views of payloads (each holding its chunk alive), a
// running byte count so every limit check is O(1), and the water marks that decide when a
// sender must pause. The wake-ups that go with it live in the peer, which owns the timers.
//
// Two ways in. push() queues a view: no copy, one entry (one iovec) per payload; right for
// large payloads. append() copies a small payload onto the end of the last entry when that
// is a staging chunk of this outbox's own: a hundred 17-byte payloads become one 1.7 KB
// entry, so one write moves them all instead of 64 at a time (the iovec cap), and the
// kernel copies one buffer instead of walking a hundred. Copying a small payload costs a
// few nanoseconds; an iovec costs more than that in the kernel.
#pragma once

#include "core/chunk.hpp"
#include "core/policy.hpp"
#include "core/ring.hpp"

#include <cstddef>
#include <span>

namespace switchboard::core {

/// A span of bytes that does not own them (mirrors iovec, without the system header).
struct ByteView {
    const std::byte* data = nullptr;
    std::size_t size = 0;
};

class Outbox {
public:
    Outbox(std::size_t high_water, std::size_t low_water) noexcept
        : high_water_(high_water)
        , low_water_(low_water) {}

    /// Queues a frame's payload (with its terminator) read into `chunk`: copied onto the end of
    /// the queue (append) when it is at most copy_threshold bytes, queued as a view otherwise
    /// (push). The one place that decides between the two.
    void enqueue(ChunkPool& staging, const ChunkRef& chunk, std::span<const std::byte> payload) {
        if (payload.size() <= copy_threshold)
            append(staging, payload);
        else
            push(chunk, payload);
    }

    /// Queues `payload`, which lies inside `chunk`; the entry keeps the chunk alive. Counts
    /// as one frame whatever its bytes.
    void push(ChunkRef chunk, std::span<const std::byte> payload);

    /// Queues a copy of `payload`, a frame's payload with its terminator (so exactly one 0x00,
    /// its last byte), on the end of the last entry if that is a staging chunk with room, or
    /// in a fresh staging chunk from `staging` (of at least the payload's size).
    void append(ChunkPool& staging, std::span<const std::byte> payload);

    bool empty() const noexcept { return entries_.empty(); }
    std::size_t bytes() const noexcept { return bytes_; }
    std::size_t frames() const noexcept { return frames_; }

    /// Above high water: whoever just pushed must pause.
    bool above_high_water() const noexcept { return bytes_ > high_water_; }
    /// At or below low water: paused senders may go on.
    bool at_or_below_low_water() const noexcept { return bytes_ <= low_water_; }

    /// Fills `out` with the front of the queue, at most `max_bytes` in all (a partially
    /// written front entry counts only its rest). Returns how many views were filled.
    std::size_t gather(std::span<ByteView> out, std::size_t max_bytes) const noexcept;

    /// Drops `n` written bytes from the front; returns how many whole frames that completed.
    std::size_t consume(std::size_t n) noexcept;

    /// Drops everything; returns the number of frames dropped (bytes() tells the bytes first).
    std::size_t clear() noexcept;

private:
    struct Entry {
        ChunkRef chunk;
        const std::byte* data;
        std::size_t size;
        /// Whole frames left in [data, data + size). A staging entry holds only payloads,
        /// each ending in its one 0x00, so a partial write completes as many as it wrote zeros.
        std::size_t frames;
        bool staging;
    };

    Ring<Entry> entries_;
    std::size_t bytes_ = 0;
    std::size_t frames_ = 0;
    std::size_t high_water_;
    std::size_t low_water_;
};

} // namespace switchboard::core
