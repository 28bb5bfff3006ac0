#include "core/frame_parser.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <stdexcept>

namespace switchboard::core {

FrameParser::FrameParser(std::size_t max_frame)
    : max_frame_(max_frame) {
    if (max_frame < protocol::min_frame_size)
        throw std::invalid_argument("max_frame must be at least 5 bytes");
}

FrameParser::Result FrameParser::next(std::span<const std::byte> unconsumed) noexcept {
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

void FrameParser::reset() noexcept {
    scanned_ = 0;
    failed_ = false;
}

} // namespace switchboard::core
