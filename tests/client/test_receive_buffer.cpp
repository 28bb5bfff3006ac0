// The client's receive buffer, without sockets: messages come out whole and in order however
// the stream is split, leftovers are kept, and long messages grow the storage.
#include "client/receive_buffer.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using switchboard::detail::ReceiveBuffer;
using namespace std::string_literals;

namespace {

/// Appends `bytes` as one read, however many prepare() calls that takes.
void feed(ReceiveBuffer& buffer, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto room = buffer.prepare();
        const std::size_t n = std::min(room.size(), bytes.size());
        std::memcpy(room.data(), bytes.data(), n);
        buffer.commit(n);
        bytes.remove_prefix(n);
    }
}

std::vector<std::string> drain(ReceiveBuffer& buffer) {
    std::vector<std::string> out;
    while (const auto message = buffer.next_message())
        out.emplace_back(*message);
    return out;
}

} // namespace

TEST_CASE("client receive buffer: messages split at every byte come out whole and in order") {
    // The 4-byte ID first, as a connection delivers it, then three messages and a partial one.
    const std::string stream = "\x01\x02\x03\x04"s + "hello\0\0world, again\0tail"s;
    const std::vector<std::string> expected{"hello", "", "world, again"};
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        INFO("split at " << split);
        ReceiveBuffer buffer(8);
        std::vector<std::string> got;
        bool id_taken = false;
        const auto consume = [&] {
            if (!id_taken && buffer.size() >= 4) {
                CHECK(buffer.take(4) == "\x01\x02\x03\x04");
                id_taken = true;
            }
            if (id_taken)
                for (auto& message : drain(buffer))
                    got.push_back(std::move(message));
        };
        feed(buffer, std::string_view(stream).substr(0, split));
        consume();
        feed(buffer, std::string_view(stream).substr(split));
        consume();
        CHECK(got == expected);
        CHECK(buffer.size() == 4); // "tail" waits for its terminator
    }
}

TEST_CASE("client receive buffer: a long message grows the storage, and leftovers move to the "
          "front") {
    ReceiveBuffer buffer(16);
    const std::string big(1000, 'x');
    feed(buffer, big);
    CHECK_FALSE(buffer.next_message());
    feed(buffer, "\0next"s);
    const auto message = buffer.next_message();
    REQUIRE(message);
    CHECK(*message == big);
    CHECK(buffer.size() == 4);
    const std::size_t capacity = buffer.capacity();
    // Many short messages in turn: the storage is reused, not grown.
    for (int i = 0; i < 10'000; ++i) {
        feed(buffer, "\0abc"s);
        REQUIRE(buffer.next_message());
    }
    CHECK(buffer.capacity() == capacity);
    CHECK(buffer.size() == 3);
}

TEST_CASE("client receive buffer: clear forgets everything") {
    ReceiveBuffer buffer;
    feed(buffer, "abc\0de"s);
    buffer.clear();
    CHECK(buffer.size() == 0);
    CHECK_FALSE(buffer.next_message());
    feed(buffer, "x\0"s);
    CHECK(buffer.next_message() == std::optional<std::string_view>("x"));
}
