// libFuzzer target for FrameParser. The input is a byte stream plus a split plan; the
// invariant is that the incremental parser, fed the stream in the planned pieces, finds
// exactly the frames (and the size error) that a whole-buffer reference scan finds.
//
// Input layout: [max_frame selector][split seed][stream bytes...]
#include "core/frame_parser.hpp"

#include <switchboard/protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace {

struct Parsed {
    std::vector<std::pair<std::uint32_t, std::vector<std::byte>>> frames;
    bool too_large = false;
};

std::uint32_t load_be(const std::byte* p) {
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
           std::uint32_t(p[3]);
}

/// The reference: scan the whole stream at once, the obvious way.
Parsed reference_parse(const std::byte* data, std::size_t size, std::size_t max_frame) {
    Parsed out;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t rest = size - pos;
        const std::size_t window = rest < max_frame ? rest : max_frame;
        std::size_t end = 0;
        for (std::size_t i = 4; i < window; ++i)
            if (data[pos + i] == std::byte{0}) {
                end = i + 1;
                break;
            }
        if (end != 0) {
            out.frames.emplace_back(load_be(data + pos),
                                    std::vector<std::byte>(data + pos + 4, data + pos + end));
            pos += end;
            continue;
        }
        out.too_large = rest >= max_frame;
        return out;
    }
}

/// The parser under test, fed in pieces whose sizes come from `seed`.
Parsed incremental_parse(const std::byte* data, std::size_t size, std::size_t max_frame,
                         std::uint32_t seed) {
    Parsed out;
    switchboard::core::FrameParser parser(max_frame);
    std::vector<std::byte> buffer;
    std::minstd_rand random(seed | 1);
    std::size_t fed = 0;
    while (fed < size && !out.too_large) {
        const std::size_t piece = std::min<std::size_t>(size - fed, 1 + random() % 64);
        buffer.insert(buffer.end(), data + fed, data + fed + piece);
        fed += piece;
        for (;;) {
            const auto r = parser.next(buffer);
            if (r.status == switchboard::core::FrameParser::Status::need_more)
                break;
            if (r.status == switchboard::core::FrameParser::Status::frame_too_large) {
                out.too_large = true;
                // Sticky: asking again must give the same answer.
                if (parser.next(buffer).status !=
                    switchboard::core::FrameParser::Status::frame_too_large)
                    std::abort();
                break;
            }
            // The payload is a view into the buffer, ending with the terminator.
            if (r.frame.payload.empty() || r.frame.payload.back() != std::byte{0} ||
                r.consumed != r.frame.payload.size() + 4 || r.consumed > max_frame)
                std::abort();
            out.frames.emplace_back(
                r.frame.destination,
                std::vector<std::byte>(r.frame.payload.begin(), r.frame.payload.end()));
            buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* raw, std::size_t size) {
    if (size < 5)
        return 0;
    // Small limits make the size error reachable; 5 is the smallest legal max_frame.
    const std::size_t max_frame = 5 + raw[0] % 200;
    std::uint32_t seed;
    std::memcpy(&seed, raw + 1, 4);
    const auto* data = reinterpret_cast<const std::byte*>(raw + 5);
    const std::size_t n = size - 5;

    const Parsed expected = reference_parse(data, n, max_frame);
    const Parsed actual = incremental_parse(data, n, max_frame, seed);
    if (actual.frames != expected.frames || actual.too_large != expected.too_large)
        std::abort();
    return 0;
}
