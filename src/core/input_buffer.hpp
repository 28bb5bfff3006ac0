// One connection's unparsed input: the reference-counted chunk its reads land in, and the
// frame parser over the bytes not consumed yet. Every model reads through one of these, so
// every model parses the same way and hands out the same zero-copy frames.
//
// The unconsumed bytes are chunk[begin, end): the start of the next frame, possibly partial.
// Bytes before `begin` belong to frames queued elsewhere as views (each holding a reference
// to the chunk); they are never written again. A partial frame that runs out of room is moved
// to the front in place when nobody else references the chunk, and otherwise copied once into
// a new chunk: the only copy of payload bytes on the input side.
#pragma once

#include "core/chunk.hpp"
#include "core/frame_parser.hpp"

#include <cstddef>
#include <span>

namespace switchboard::core {

class InputBuffer {
public:
    /// `max_frame` as for FrameParser; it also caps how far a partial frame's chunk grows.
    explicit InputBuffer(std::size_t max_frame)
        : parser_(max_frame) {}

    /// Room for the next read: a chunk from `pool` when there is none, or the partial frame
    /// moved or copied when less than min_room() is left. Never empty.
    std::span<std::byte> prepare(ChunkPool& pool);
    /// Marks `n` bytes of the last prepare() as read.
    void commit(std::size_t n) noexcept { end_ += n; }

    /// The next complete frame, consumed (status frame), or need_more, or frame_too_large,
    /// which is sticky: the stream cannot be resynchronised. A frame's payload points into
    /// chunk(); queue it with a copy of chunk() to keep it alive.
    FrameParser::Result next() noexcept {
        // Inline, like FrameParser::next: once per frame (see frame_parser.hpp).
        const auto result =
            parser_.next(chunk_ ? std::span<const std::byte>(chunk_->data() + begin_, end_ - begin_)
                                : std::span<const std::byte>());
        begin_ += result.consumed;
        return result;
    }
    const ChunkRef& chunk() const noexcept { return chunk_; }

    /// Bytes read but not consumed: a partial frame, or frames not parsed yet.
    bool has_unconsumed() const noexcept { return end_ > begin_; }
    /// An idle connection holds no buffer: drops the chunk when it holds nothing unconsumed
    /// and no queued frame references it.
    void release_if_idle() noexcept;
    /// Forgets everything (the peer left; its partial frame is discarded).
    void discard() noexcept;

    /// The least room prepare() offers from a pool of `chunk_size`: small frames from one
    /// sender share a chunk until this little is left.
    static std::size_t min_room(std::size_t chunk_size) noexcept;

private:
    FrameParser parser_;
    ChunkRef chunk_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
};

} // namespace switchboard::core
