// A peer's write queue, without IO: views of payloads (each holding its chunk alive), a
// running byte count so every limit check is O(1), and the water marks that decide when a
// sender must pause. The wake-ups that go with it live in the peer, which owns the timers.
#pragma once

#include "chunk.hpp"
#include "ring.hpp"

#include <cstddef>
#include <span>

namespace switchboard::detail {

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

    /// Queues `payload`, which lies inside `chunk`; the entry keeps the chunk alive.
    void push(ChunkRef chunk, std::span<const std::byte> payload);

    bool empty() const noexcept { return entries_.empty(); }
    std::size_t bytes() const noexcept { return bytes_; }
    std::size_t frames() const noexcept { return entries_.size(); }

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
    };

    Ring<Entry> entries_;
    std::size_t bytes_ = 0;
    std::size_t high_water_;
    std::size_t low_water_;
};

} // namespace switchboard::detail
