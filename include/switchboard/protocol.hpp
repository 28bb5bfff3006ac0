// The switchboard wire protocol, version 1, as plain functions and one incremental parser.
// Nothing here knows about sockets or Asio: it is the sans-IO core, tested byte by byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace switchboard {

/// A client's address on the switchboard: four bytes, big-endian on the wire.
using PeerId = std::uint32_t;

namespace protocol {

/// 0 and 0xFFFFFFFF are never handed out; a frame addressed to them is an unknown destination.
inline constexpr PeerId reserved_id_low = 0;
inline constexpr PeerId reserved_id_high = 0xFFFFFFFFu;
inline constexpr std::size_t id_size = 4;
inline constexpr std::byte terminator{0x00};
/// The smallest frame: a destination ID and an empty payload (just the terminator).
inline constexpr std::size_t min_frame_size = id_size + 1;
/// First byte of an in-band error notice (only sent with error notices turned on).
inline constexpr std::byte error_notice_marker{0xFF};

constexpr bool is_assignable(PeerId id) noexcept {
    return id != reserved_id_low && id != reserved_id_high;
}

/// Writes `value` big-endian into the first four bytes of `out`.
void store_u32(std::span<std::byte, 4> out, std::uint32_t value) noexcept;
/// Reads a big-endian u32 from the first four bytes of `in`.
std::uint32_t load_u32(std::span<const std::byte, 4> in) noexcept;

/// True when `payload` can be sent: it contains no 0x00 (the terminator is added on the wire).
bool is_valid_payload(std::span<const std::byte> payload) noexcept;

/// Encodes one frame: `[destination][payload][0x00]`. `payload` must be valid.
std::string encode_frame(PeerId destination, std::string_view payload);

/// The bytes of an error notice: `0xFF "Error: <reason>" 0x00`.
std::string encode_error_notice(std::string_view reason);

} // namespace protocol

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

} // namespace switchboard
