// The switchboard wire protocol, version 1: its constants and encoders, as plain functions.
// docs/protocol.md is the contract; the server's incremental frame parser is in src/core.
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
constexpr void store_u32(std::span<std::byte, 4> out, std::uint32_t value) noexcept {
    out[0] = std::byte(value >> 24);
    out[1] = std::byte(value >> 16);
    out[2] = std::byte(value >> 8);
    out[3] = std::byte(value);
}
/// Reads a big-endian u32 from the first four bytes of `in`.
constexpr std::uint32_t load_u32(std::span<const std::byte, 4> in) noexcept {
    return (std::uint32_t(in[0]) << 24) | (std::uint32_t(in[1]) << 16) |
           (std::uint32_t(in[2]) << 8) | std::uint32_t(in[3]);
}

/// True when `payload` can be sent: it contains no 0x00 (the terminator is added on the wire).
bool is_valid_payload(std::span<const std::byte> payload) noexcept;

/// Encodes one frame: `[destination][payload][0x00]`. `payload` must be valid.
std::string encode_frame(PeerId destination, std::string_view payload);

/// The bytes of an error notice: `0xFF "Error: <reason>" 0x00`.
std::string encode_error_notice(std::string_view reason);

} // namespace protocol

} // namespace switchboard
