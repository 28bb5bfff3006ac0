// Parsing and printing of the byte sizes and durations used on command lines and in configs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

/// "1048576", "512KiB", "1MiB", "4M" (binary: K/KiB, M/MiB, G/GiB), "10kB" / "2MB" (decimal),
/// "64B". Case of the unit is ignored except kB/KB. Returns nullopt for anything else,
/// including overflow and negative numbers.
std::optional<std::uint64_t> parse_byte_size(std::string_view text) noexcept;

/// "30s", "500ms", "2m", "1h", "250us"; a bare number means seconds. Returns nullopt for
/// anything else, including negative values and overflow.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

/// parse_duration to the microsecond: "50us" is 50 µs, not rounded up to a millisecond.
std::optional<std::chrono::microseconds> parse_fine_duration(std::string_view text) noexcept;

/// Byte sizes in code: `using namespace switchboard::literals;` then `64_KiB`, `4_MiB`.
namespace literals {
constexpr std::size_t operator""_KiB(unsigned long long n) noexcept {
    return static_cast<std::size_t>(n) << 10;
}
constexpr std::size_t operator""_MiB(unsigned long long n) noexcept {
    return static_cast<std::size_t>(n) << 20;
}
constexpr std::size_t operator""_GiB(unsigned long long n) noexcept {
    return static_cast<std::size_t>(n) << 30;
}
} // namespace literals

/// "1MiB", "4KiB", "1000B": the largest binary unit that divides the value exactly.
std::string format_byte_size(std::uint64_t bytes);
/// "30s", "500ms", "2m".
std::string format_duration(std::chrono::milliseconds duration);

} // namespace switchboard
