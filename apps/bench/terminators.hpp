// Counting messages in received bytes: every delivered message ends with one 0x00 and holds no
// other, so a receiver counts zero bytes in what it read, a whole buffer at a time. This is
// the only work the bench does per message, so it is made cheap for every payload size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace switchboard::bench {

/// Zero bytes in [data, data + size). `spacing` is the expected distance between them (the
/// delivered message size): below 32 bytes a word-at-a-time count is faster than a memchr
/// call per message; above, memchr skips the payload at vector speed.
inline std::size_t count_terminators(const std::byte* data, std::size_t size,
                                     std::size_t spacing) noexcept {
    std::size_t count = 0;
    if (spacing >= 32) {
        const std::byte* end = data + size;
        while (data < end) {
            const void* zero = std::memchr(data, 0, static_cast<std::size_t>(end - data));
            if (zero == nullptr)
                break;
            ++count;
            data = static_cast<const std::byte*>(zero) + 1;
        }
        return count;
    }
    constexpr std::uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        // 0x80 in exactly the bytes that are zero (no carries cross bytes), then add them up.
        const std::uint64_t zeros = ~(((word & low7) + low7) | word | low7);
        count += static_cast<std::size_t>(((zeros >> 7) * ones) >> 56);
    }
    for (; i < size; ++i)
        count += data[i] == std::byte{0};
    return count;
}

} // namespace switchboard::bench
