// The server's frame parser: incremental, pull-style, over a buffer the caller owns. Nothing
// here knows about sockets or Asio; it is tested at every split point and fuzzed.
#pragma once

#include <switchboard/protocol.hpp>

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstring>
#include <span>

namespace switchboard::core {

/// One complete frame found by the parser. `payload` points into the caller's buffer and
/// includes the terminating 0x00, exactly the bytes the destination receives.
struct Frame {
    PeerId destination = 0;
    std::span<const std::byte> payload;
};

/// Incremental, pull-style frame parser over a buffer the caller owns.
///
/// The caller keeps the unconsumed bytes contiguous, starting at the beginning of the next
/// frame, and calls `next()` after each read. The parser remembers how far it already searched
/// for the terminator, so no byte is scanned twice however the stream is split. Once a frame
/// grows past `max_frame` bytes without a terminator the parser reports `frame_too_large` and
/// keeps reporting it: the stream cannot be resynchronised.
class FrameParser {
public:
    enum class Status { frame, need_more, frame_too_large };

    struct Result {
        Status status = Status::need_more;
        Frame frame;              ///< valid when status == frame
        std::size_t consumed = 0; ///< bytes of the buffer the frame used (header..terminator)
    };

    /// `max_frame` counts the 4-byte header and the terminator; it must be at least 5.
    explicit FrameParser(std::size_t max_frame);

    /// Looks for the next frame at the start of `unconsumed`. On `frame`, the caller drops
    /// `consumed` bytes from the front before the next call; on `need_more` it appends bytes.
    Result next(std::span<const std::byte> unconsumed) noexcept;

    /// Forget the partial frame (for example after the peer reset mid-frame).
    void reset() noexcept;

    std::size_t max_frame() const noexcept { return max_frame_; }
    /// How many bytes of the current partial frame were already searched.
    std::size_t scanned() const noexcept { return scanned_; }
    bool failed() const noexcept { return failed_; }

private:
    std::size_t max_frame_;
    std::size_t scanned_ = 0;
    bool failed_ = false;
};

// Inline: it runs once per frame, and a call that returns the Result through memory makes
// the caller reload it field by field from stores it cannot forward (measured: a few ns per
// frame, docs/performance.md).
inline FrameParser::Result FrameParser::next(std::span<const std::byte> unconsumed) noexcept {
    if (failed_)
        return {Status::frame_too_large, {}, 0};

    // The terminator can only be a payload byte: the header may hold zeros.
    // Searching stops at max_frame, so a huge buffer is never scanned past the limit.
    const std::size_t limit = std::min(unconsumed.size(), max_frame_);
    const std::size_t from = std::max(scanned_, protocol::id_size);
    assert(scanned_ <= unconsumed.size() && "the caller dropped unconsumed bytes");
    if (from < limit) {
        const void* hit =
            std::memchr(unconsumed.data() + from, 0, limit - from); // bytes never rescanned
        if (hit != nullptr) {
            const auto end =
                static_cast<std::size_t>(static_cast<const std::byte*>(hit) - unconsumed.data()) +
                1;
            scanned_ = 0;
            Frame frame{protocol::load_u32(unconsumed.first<4>()),
                        unconsumed.subspan(protocol::id_size, end - protocol::id_size)};
            return {Status::frame, frame, end};
        }
    }
    scanned_ = std::max(limit, scanned_);
    if (limit >= max_frame_) {
        failed_ = true;
        return {Status::frame_too_large, {}, 0};
    }
    return {Status::need_more, {}, 0};
}

} // namespace switchboard::core
