#include <switchboard/protocol.hpp>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <stdexcept>

namespace switchboard {

namespace protocol {

void store_u32(std::span<std::byte, 4> out, std::uint32_t value) noexcept {
    out[0] = std::byte(value >> 24);
    out[1] = std::byte(value >> 16);
    out[2] = std::byte(value >> 8);
    out[3] = std::byte(value);
}

std::uint32_t load_u32(std::span<const std::byte, 4> in) noexcept {
    return (std::uint32_t(in[0]) << 24) | (std::uint32_t(in[1]) << 16) |
           (std::uint32_t(in[2]) << 8) | std::uint32_t(in[3]);
}

bool is_valid_payload(std::span<const std::byte> payload) noexcept {
    return std::find(payload.begin(), payload.end(), terminator) == payload.end();
}

std::string encode_frame(PeerId destination, std::string_view payload) {
    std::string out(id_size + payload.size() + 1, '\0');
    store_u32(std::span<std::byte, 4>(reinterpret_cast<std::byte*>(out.data()), 4), destination);
    std::memcpy(out.data() + id_size, payload.data(), payload.size());
    return out;
}

std::string encode_error_notice(std::string_view reason) {
    std::string out;
    out.reserve(reason.size() + 9);
    out.push_back(static_cast<char>(error_notice_marker));
    out.append("Error: ");
    out.append(reason);
    out.push_back('\0');
    return out;
}

} // namespace protocol

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

} // namespace switchboard
