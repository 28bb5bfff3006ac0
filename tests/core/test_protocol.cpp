// The protocol's free functions: byte order, frame and notice encoding, payload validity.
#include "core/frame_parser.hpp"

#include <switchboard/protocol.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace protocol = switchboard::protocol;
using switchboard::PeerId;

namespace {

std::array<std::byte, 4> stored(std::uint32_t value) {
    std::array<std::byte, 4> out{};
    protocol::store_u32(out, value);
    return out;
}

std::span<const std::byte> as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

} // namespace

TEST_CASE("store_u32 writes the most significant byte first") {
    const auto b = stored(0x01020304u);
    CHECK(b[0] == std::byte{0x01});
    CHECK(b[1] == std::byte{0x02});
    CHECK(b[2] == std::byte{0x03});
    CHECK(b[3] == std::byte{0x04});

    const auto high = stored(0xFF000000u);
    CHECK(high[0] == std::byte{0xFF});
    CHECK(high[3] == std::byte{0x00});
}

TEST_CASE("load_u32 reads four bytes as a big-endian number") {
    const std::array<std::byte, 4> b = {std::byte{0xDE}, std::byte{0xAD}, std::byte{0xBE},
                                        std::byte{0xEF}};
    CHECK(protocol::load_u32(b) == 0xDEADBEEFu);
    const std::array<std::byte, 4> one = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}};
    CHECK(protocol::load_u32(one) == 1u);
}

TEST_CASE("load_u32 inverts store_u32 for every kind of value") {
    std::mt19937 rng(42);
    bool all_equal = true;
    for (std::uint32_t value : {0u, 1u, 0xFFu, 0x100u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu})
        all_equal = all_equal && protocol::load_u32(stored(value)) == value;
    for (int i = 0; i < 10'000; ++i) {
        const std::uint32_t value = rng();
        all_equal = all_equal && protocol::load_u32(stored(value)) == value;
    }
    CHECK(all_equal);
}

TEST_CASE("encode_frame writes the big-endian ID, the payload and one terminator") {
    const std::string frame = protocol::encode_frame(0x0A000B0Cu, "hi there");
    CHECK(frame == std::string("\x0A\x00\x0B\x0C", 4) + "hi there" + std::string(1, '\0'));
}

TEST_CASE("encode_frame of an empty payload is the ID and the terminator") {
    const std::string frame = protocol::encode_frame(0u, "");
    CHECK(frame == std::string(5, '\0'));
}

TEST_CASE("A frame encoded by encode_frame is parsed back to the same destination and payload") {
    const std::string frame = protocol::encode_frame(0x00FF00FFu, "round trip");
    switchboard::core::FrameParser parser(64);
    const auto r = parser.next(as_bytes(frame));
    REQUIRE(r.status == switchboard::core::FrameParser::Status::frame);
    CHECK(r.consumed == frame.size());
    CHECK(r.frame.destination == 0x00FF00FFu);
    CHECK(std::string_view(reinterpret_cast<const char*>(r.frame.payload.data()),
                           r.frame.payload.size()) == std::string_view("round trip\0", 11));
}

TEST_CASE("An error notice is 0xFF, \"Error: \", the reason and a terminator") {
    const std::string notice = protocol::encode_error_notice("unknown destination");
    CHECK(notice == std::string("\xFF") + "Error: unknown destination" + std::string(1, '\0'));
    CHECK(std::byte(static_cast<unsigned char>(notice.front())) == protocol::error_notice_marker);
}

TEST_CASE("A payload is valid exactly when it contains no zero byte") {
    CHECK(protocol::is_valid_payload(as_bytes("")));
    CHECK(protocol::is_valid_payload(as_bytes("hello \xFF\x01")));
    CHECK_FALSE(protocol::is_valid_payload(as_bytes(std::string_view("\0", 1))));
    CHECK_FALSE(protocol::is_valid_payload(as_bytes(std::string_view("ab\0cd", 5))));
    CHECK_FALSE(protocol::is_valid_payload(as_bytes(std::string_view("abcd\0", 5))));
}

TEST_CASE("Only 0 and 0xFFFFFFFF are not assignable as IDs") {
    STATIC_REQUIRE_FALSE(protocol::is_assignable(0u));
    STATIC_REQUIRE_FALSE(protocol::is_assignable(0xFFFFFFFFu));
    STATIC_REQUIRE(protocol::is_assignable(1u));
    STATIC_REQUIRE(protocol::is_assignable(0xFFFFFFFEu));
    STATIC_REQUIRE(protocol::min_frame_size == 5u);
}
