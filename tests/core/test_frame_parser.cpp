// FrameParser, driven the way the server drives it: a caller-owned buffer of unconsumed bytes
// that grows by appends and shrinks from the front by `consumed`. Expected frames are always
// derived from the messages the test encoded itself, never from the parser's own output.
#include "core/frame_parser.hpp"

#include <switchboard/protocol.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <ostream>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using switchboard::PeerId;
using switchboard::core::FrameParser;
using Status = FrameParser::Status;

namespace {

using Bytes = std::vector<std::byte>;

constexpr std::size_t large_max_frame = 1024 * 1024;

/// A message as the sender means it: a destination and a body without the terminator.
struct Message {
    PeerId destination = 0;
    std::string body;
};

/// A frame as the destination would receive it: the payload includes the terminator.
struct Received {
    PeerId destination = 0;
    Bytes payload;
    bool operator==(const Received&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Received& r) {
    out << "{0x" << std::hex << std::setw(8) << std::setfill('0') << r.destination << " [";
    for (std::size_t i = 0; i < r.payload.size(); ++i)
        out << (i ? " " : "") << std::setw(2) << static_cast<unsigned>(r.payload[i]);
    return out << "]}" << std::dec;
}

Bytes bytes_of(std::string_view text) {
    Bytes out(text.size());
    std::transform(text.begin(), text.end(), out.begin(),
                   [](char c) { return static_cast<std::byte>(c); });
    return out;
}

/// The wire form written out by hand (big-endian ID, body, 0x00), independent of encode_frame.
void append_wire(Bytes& out, const Message& m) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::byte>((m.destination >> shift) & 0xFF));
    const Bytes body = bytes_of(m.body);
    out.insert(out.end(), body.begin(), body.end());
    out.push_back(std::byte{0});
}

Bytes wire(const std::vector<Message>& messages) {
    Bytes out;
    for (const auto& m : messages)
        append_wire(out, m);
    return out;
}

std::size_t wire_size(const Message& m) {
    return 4 + m.body.size() + 1;
}

Received expected_of(const Message& m) {
    Received r{m.destination, bytes_of(m.body)};
    r.payload.push_back(std::byte{0});
    return r;
}

std::vector<Received> expected_of(const std::vector<Message>& messages) {
    std::vector<Received> out;
    for (const auto& m : messages)
        out.push_back(expected_of(m));
    return out;
}

PeerId big_endian_at(const Bytes& b) {
    return (PeerId(std::to_integer<unsigned>(b[0])) << 24) |
           (PeerId(std::to_integer<unsigned>(b[1])) << 16) |
           (PeerId(std::to_integer<unsigned>(b[2])) << 8) | PeerId(std::to_integer<unsigned>(b[3]));
}

/// Plays the server's read loop: owns the unconsumed bytes, appends each input, pulls frames
/// until the parser wants more, and drops each frame's bytes from the front. It checks every
/// answer against what the buffer actually holds and records contract violations as text,
/// so that hot loops need only one assertion at the end.
class Caller {
public:
    explicit Caller(std::size_t max_frame)
        : parser_(max_frame)
        , max_frame_(max_frame) {}

    Status feed(std::span<const std::byte> input) {
        buffer_.insert(buffer_.end(), input.begin(), input.end());
        for (;;) {
            const FrameParser::Result r = parser_.next(buffer_);
            ++calls_;
            last_ = r.status;
            if (r.status == Status::frame) {
                if (reported_too_large_)
                    violation("a frame after frame_too_large");
                check_frame(r);
                if (r.consumed > buffer_.size())
                    return last_; // already recorded; erasing would be undefined
                buffer_.erase(buffer_.begin(), buffer_.begin() + std::ptrdiff_t(r.consumed));
                continue;
            }
            if (r.consumed != 0)
                violation("consumed is not 0 without a frame");
            if (reported_too_large_ && r.status != Status::frame_too_large)
                violation("frame_too_large did not stick");
            const auto zero = std::find(
                buffer_.begin() + std::ptrdiff_t(std::min<std::size_t>(4, buffer_.size())),
                buffer_.end(), std::byte{0});
            const std::size_t zero_at = std::size_t(zero - buffer_.begin());
            if (r.status == Status::need_more) {
                if (zero != buffer_.end())
                    violation("need_more although a terminator follows the header");
                if (buffer_.size() >= max_frame_)
                    violation("need_more although max_frame bytes are buffered");
            } else if (!reported_too_large_) {
                // The first report: it must be justified by the bytes at hand.
                reported_too_large_ = true;
                if (buffer_.size() < max_frame_)
                    violation("frame_too_large before max_frame bytes arrived");
                if (zero != buffer_.end() && zero_at < max_frame_)
                    violation("frame_too_large although a terminator lies within max_frame");
            }
            return last_;
        }
    }

    Status feed(std::string_view text) {
        const Bytes b = bytes_of(text);
        return feed(std::span<const std::byte>(b));
    }

    const std::vector<Received>& received() const { return received_; }
    const std::vector<std::string>& violations() const { return violations_; }
    const Bytes& buffer() const { return buffer_; }
    const FrameParser& parser() const { return parser_; }
    Status last() const { return last_; }
    std::size_t calls() const { return calls_; }

private:
    void violation(std::string what) {
        if (violations_.size() < 20) // enough to diagnose, bounded for random tests
            violations_.push_back(std::move(what));
    }

    void check_frame(const FrameParser::Result& r) {
        const std::size_t n = r.consumed;
        if (n < 5 || n > buffer_.size()) {
            violation("frame consumed " + std::to_string(n) + " of " +
                      std::to_string(buffer_.size()) + " buffered bytes");
            return;
        }
        if (n > max_frame_)
            violation("frame of " + std::to_string(n) + " bytes exceeds max_frame");
        if (r.frame.payload.data() != buffer_.data() + 4)
            violation("payload does not start right after the header in the caller's buffer");
        if (r.frame.payload.size() != n - 4)
            violation("payload size is not consumed - 4");
        if (r.frame.destination != big_endian_at(buffer_))
            violation("destination is not the big-endian header");
        if (buffer_[n - 1] != std::byte{0})
            violation("frame does not end with the terminator");
        if (std::find(buffer_.begin() + 4, buffer_.begin() + std::ptrdiff_t(n - 1), std::byte{0}) !=
            buffer_.begin() + std::ptrdiff_t(n - 1))
            violation("frame ends after the first terminator");
        received_.push_back(
            Received{big_endian_at(buffer_), Bytes(buffer_.begin() + 4, buffer_.begin() + n)});
    }

    FrameParser parser_;
    std::size_t max_frame_;
    Bytes buffer_;
    std::vector<Received> received_;
    std::vector<std::string> violations_;
    Status last_ = Status::need_more;
    bool reported_too_large_ = false;
    std::size_t calls_ = 0;
};

/// Feeds `stream` cut at the given (ascending) offsets.
void feed_cut(Caller& caller, const Bytes& stream, const std::vector<std::size_t>& cuts) {
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
        caller.feed(std::span<const std::byte>(stream).subspan(from, cut - from));
        from = cut;
    }
    caller.feed(std::span<const std::byte>(stream).subspan(from));
}

void feed_bytewise(Caller& caller, const Bytes& stream) {
    for (std::size_t i = 0; i < stream.size(); ++i)
        caller.feed(std::span<const std::byte>(stream).subspan(i, 1));
}

/// Sample streams: empty payloads, IDs full of zeros, the reserved IDs, every byte value.
std::vector<std::vector<Message>> sample_streams() {
    std::string every_value;
    for (int c = 1; c <= 255; ++c)
        every_value.push_back(static_cast<char>(c));
    return {
        {{0x01020304, "hello"},
         {0x00000000, ""},
         {0x00FF0000, "x"},
         {0xFFFFFFFF, ""},
         {0x7F000001, "a longer payload, with spaces"},
         {0x00000001, ""},
         {0x10000000, "\xFF\x01"}},
        {{0, ""}, {0, ""}, {0, ""}},
        {{0x00000100, every_value}},
        {{0xDEADBEEF, "ping"}},
    };
}

std::size_t pick(std::mt19937& rng, std::size_t n) {
    return rng() % n;
}

} // namespace

namespace Catch {
template <>
struct StringMaker<Status> {
    static std::string convert(Status s) {
        switch (s) {
        case Status::frame:
            return "frame";
        case Status::need_more:
            return "need_more";
        case Status::frame_too_large:
            return "frame_too_large";
        }
        return "?";
    }
};
} // namespace Catch

TEST_CASE("A single frame is parsed into its destination and its terminated payload") {
    const Bytes stream = wire({{0x0A0B0C0D, "hello"}});
    FrameParser parser(large_max_frame);

    const auto r = parser.next(stream);

    REQUIRE(r.status == Status::frame);
    CHECK(r.consumed == stream.size());
    CHECK(r.frame.destination == 0x0A0B0C0Du);
    CHECK(r.frame.payload.data() == stream.data() + 4); // a view, not a copy
    CHECK(Bytes(r.frame.payload.begin(), r.frame.payload.end()) ==
          bytes_of(std::string_view("hello\0", 6)));
}

TEST_CASE("An empty payload is a frame of the four-byte ID and the terminator") {
    const Bytes stream = {std::byte{0x12}, std::byte{0x34}, std::byte{0x56}, std::byte{0x78},
                          std::byte{0x00}};
    FrameParser parser(large_max_frame);

    const auto r = parser.next(stream);

    REQUIRE(r.status == Status::frame);
    CHECK(r.consumed == 5u);
    CHECK(r.frame.destination == 0x12345678u);
    REQUIRE(r.frame.payload.size() == 1u);
    CHECK(r.frame.payload[0] == std::byte{0});
}

TEST_CASE("Zero bytes in the destination ID are not taken for the terminator") {
    const PeerId id = GENERATE(PeerId{0x00000000}, PeerId{0x00000001}, PeerId{0x01000000},
                               PeerId{0x00FF00FF}, PeerId{0xFF0000FF});
    const Message message{id, "payload"};
    const Bytes stream = wire({message});
    CAPTURE(id);

    SECTION("in one buffer") {
        Caller caller(large_max_frame);
        CHECK(caller.feed(stream) == Status::need_more);
        CHECK(caller.received() == std::vector<Received>{expected_of(message)});
        CHECK(caller.violations().empty());
    }
    SECTION("one byte at a time, the header alone asks for more") {
        Caller caller(large_max_frame);
        for (std::size_t i = 0; i < 4; ++i) {
            CHECK(caller.feed(std::span<const std::byte>(stream).subspan(i, 1)) ==
                  Status::need_more);
        }
        CHECK(caller.received().empty());
        caller.feed(std::span<const std::byte>(stream).subspan(4));
        CHECK(caller.received() == std::vector<Received>{expected_of(message)});
        CHECK(caller.violations().empty());
    }
    SECTION("an all-zero empty frame is five zero bytes") {
        const Bytes zeros(5, std::byte{0});
        FrameParser parser(large_max_frame);
        const auto r = parser.next(zeros);
        REQUIRE(r.status == Status::frame);
        CHECK(r.consumed == 5u);
        CHECK(r.frame.destination == 0u);
    }
}

TEST_CASE("Many frames in one buffer are all found, in order") {
    std::vector<Message> messages;
    for (std::uint32_t i = 0; i < 2000; ++i)
        messages.push_back({i * 0x01010101u, std::string(i % 7, char('a' + i % 26))});
    const Bytes stream = wire(messages);

    Caller caller(large_max_frame);
    CHECK(caller.feed(stream) == Status::need_more);

    CHECK(caller.received() == expected_of(messages));
    CHECK(caller.buffer().empty());
    CHECK(caller.violations().empty());
}

TEST_CASE("A buffer ending inside a frame yields the complete frames and keeps the rest") {
    const std::vector<Message> messages = {{1, "one"}, {2, "two"}, {3, "three"}};
    Bytes stream = wire(messages);
    const Bytes partial = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{4}, std::byte{'f'}};
    stream.insert(stream.end(), partial.begin(), partial.end());

    Caller caller(large_max_frame);
    CHECK(caller.feed(stream) == Status::need_more);

    CHECK(caller.received() == expected_of(messages));
    CHECK(caller.buffer() == partial);
    CHECK(caller.violations().empty());
}

TEST_CASE("Frames are the same however the stream is split in two") {
    const auto streams = sample_streams();
    for (std::size_t s = 0; s < streams.size(); ++s) {
        const Bytes stream = wire(streams[s]);
        const auto expected = expected_of(streams[s]);
        for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
            INFO("stream " << s << " split at " << cut);
            Caller caller(large_max_frame);
            feed_cut(caller, stream, {cut});
            REQUIRE(caller.received() == expected);
            REQUIRE(caller.buffer().empty());
            REQUIRE(caller.violations().empty());
        }
    }
}

TEST_CASE("Frames are the same however the stream is split in three") {
    const auto streams = sample_streams();
    for (std::size_t s = 0; s < streams.size(); ++s) {
        const Bytes stream = wire(streams[s]);
        const auto expected = expected_of(streams[s]);
        bool all_equal = true;
        std::size_t first_a = 0, first_b = 0;
        for (std::size_t a = 0; a <= stream.size(); ++a) {
            for (std::size_t b = a; b <= stream.size(); ++b) {
                Caller caller(large_max_frame);
                feed_cut(caller, stream, {a, b});
                if (all_equal && (caller.received() != expected || !caller.buffer().empty() ||
                                  !caller.violations().empty())) {
                    all_equal = false;
                    first_a = a;
                    first_b = b;
                }
            }
        }
        INFO("stream " << s << " first failing cuts at " << first_a << " and " << first_b);
        CHECK(all_equal);
    }
}

TEST_CASE("Frames are the same when the stream arrives one byte at a time") {
    const auto streams = sample_streams();
    for (std::size_t s = 0; s < streams.size(); ++s) {
        INFO("stream " << s);
        const Bytes stream = wire(streams[s]);
        Caller caller(large_max_frame);
        feed_bytewise(caller, stream);
        CHECK(caller.received() == expected_of(streams[s]));
        CHECK(caller.buffer().empty());
        CHECK(caller.violations().empty());
    }
}

TEST_CASE("A frame of exactly max_frame bytes is accepted however it is split") {
    constexpr std::size_t max_frame = 16;
    const Message exact{0x00000000, std::string(max_frame - 5, 'z')};
    REQUIRE(wire_size(exact) == max_frame);
    const std::vector<Message> messages = {exact, {0x01000000, ""}, exact, exact};
    const Bytes stream = wire(messages);

    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        INFO("split at " << cut);
        Caller caller(max_frame);
        feed_cut(caller, stream, {cut});
        REQUIRE(caller.received() == expected_of(messages));
        REQUIRE_FALSE(caller.parser().failed());
        REQUIRE(caller.violations().empty());
    }
    Caller bytewise(max_frame);
    feed_bytewise(bytewise, stream);
    CHECK(bytewise.received() == expected_of(messages));
    CHECK(bytewise.violations().empty());
}

TEST_CASE("max_frame bytes without a terminator are reported as soon as they arrive") {
    constexpr std::size_t max_frame = 16;
    // One byte longer than allowed, so its terminator would be the (max_frame + 1)-th byte.
    const Bytes stream = wire({{0x00000000, std::string(max_frame - 4, 'y')}});
    REQUIRE(stream.size() == max_frame + 1);

    Caller caller(max_frame);
    for (std::size_t i = 0; i + 1 < max_frame; ++i) {
        INFO("after " << i + 1 << " bytes");
        REQUIRE(caller.feed(std::span<const std::byte>(stream).subspan(i, 1)) == Status::need_more);
    }
    CHECK(caller.feed(std::span<const std::byte>(stream).subspan(max_frame - 1, 1)) ==
          Status::frame_too_large);
    CHECK(caller.parser().failed());
    CHECK(caller.received().empty());
    CHECK(caller.violations().empty());
}

TEST_CASE("A terminator just past max_frame does not rescue an oversized frame") {
    constexpr std::size_t max_frame = 32;
    const Bytes stream = wire({{0x01020304, std::string(max_frame - 4, 'q')}});
    REQUIRE(stream.size() == max_frame + 1);
    FrameParser parser(max_frame);

    const auto r = parser.next(stream);

    CHECK(r.status == Status::frame_too_large);
    CHECK(r.consumed == 0u);
    CHECK(parser.failed());
}

TEST_CASE("frame_too_large is sticky until reset") {
    constexpr std::size_t max_frame = 8;
    const Bytes oversized = wire({{1, "too long!"}});
    const Bytes good = wire({{1, "ok"}});
    FrameParser parser(max_frame);

    REQUIRE(parser.next(oversized).status == Status::frame_too_large);

    // Neither the same bytes, nor a valid frame, nor nothing at all gets it out of the state.
    for (int i = 0; i < 3; ++i) {
        const auto again = parser.next(oversized);
        CHECK(again.status == Status::frame_too_large);
        CHECK(again.consumed == 0u);
        const auto valid = parser.next(good);
        CHECK(valid.status == Status::frame_too_large);
        CHECK(valid.consumed == 0u);
        CHECK(parser.next({}).status == Status::frame_too_large);
        CHECK(parser.failed());
    }
}

TEST_CASE("A huge buffer is not scanned beyond max_frame") {
    constexpr std::size_t max_frame = 4096;
    // Eight MiB of non-zero bytes whose only terminator is at the very end.
    Bytes huge(8 * 1024 * 1024, std::byte{'h'});
    huge.back() = std::byte{0};
    FrameParser parser(max_frame);

    const auto r = parser.next(huge);

    CHECK(r.status == Status::frame_too_large);
    CHECK(parser.scanned() <= max_frame);
}

TEST_CASE("Frames before an oversized frame in the same buffer are still delivered") {
    constexpr std::size_t max_frame = 12;
    const std::vector<Message> good = {{1, "short"}, {2, ""}, {3, "1234567"}};
    Bytes stream = wire(good);
    append_wire(stream, {4, "this one is far too long"});
    append_wire(stream, {5, "never"});

    Caller caller(max_frame);
    CHECK(caller.feed(stream) == Status::frame_too_large);

    CHECK(caller.received() == expected_of(good));
    CHECK(caller.parser().failed());
    CHECK(caller.violations().empty());
    // The stream cannot be resynchronised: later input changes nothing.
    CHECK(caller.feed(wire({{6, "late"}})) == Status::frame_too_large);
    CHECK(caller.received() == expected_of(good));
}

TEST_CASE("The smallest max_frame of 5 accepts only empty payloads") {
    Caller caller(5);
    const std::vector<Message> empties = {{7, ""}, {0, ""}};
    caller.feed(wire(empties));
    CHECK(caller.received() == expected_of(empties));
    CHECK(caller.feed(wire({{7, "x"}})) == Status::frame_too_large);
    CHECK(caller.violations().empty());
}

TEST_CASE("A max_frame below five bytes is rejected at construction") {
    CHECK_THROWS_AS(FrameParser(0), std::invalid_argument);
    CHECK_THROWS_AS(FrameParser(4), std::invalid_argument);
    CHECK_NOTHROW(FrameParser(5));
    CHECK(FrameParser(1234).max_frame() == 1234u);
}

TEST_CASE("Bytes already searched for the terminator are not searched again") {
    FrameParser parser(64);
    Bytes buffer;
    append_wire(buffer, {0x01020304, "abcdef"});
    buffer.pop_back(); // no terminator yet: "abcdef" is searched and found wanting

    REQUIRE(parser.next(buffer).status == Status::need_more);
    REQUIRE(parser.scanned() == buffer.size());

    // A probe that only a parser searching again could see: the caller (wrongly) turns an
    // already searched byte into a zero. The frame must still end at the new terminator.
    buffer[6] = std::byte{0};
    const Bytes rest = bytes_of(std::string_view("gh\0", 3));
    buffer.insert(buffer.end(), rest.begin(), rest.end());

    const auto r = parser.next(buffer);
    REQUIRE(r.status == Status::frame);
    CHECK(r.consumed == buffer.size());
    CHECK(r.frame.payload.size() == buffer.size() - 4);
}

TEST_CASE("scanned() grows with each need_more and the late frame is still correct") {
    const Message message{0x00000002, std::string(5000, 'm') + "end"};
    const Bytes stream = wire({message});
    Caller caller(large_max_frame);

    std::size_t previous = 0;
    bool grew_as_bytes_arrived = true;
    for (std::size_t i = 0; i + 1 < stream.size(); ++i) {
        if (caller.feed(std::span<const std::byte>(stream).subspan(i, 1)) != Status::need_more)
            grew_as_bytes_arrived = false;
        const std::size_t scanned = caller.parser().scanned();
        // Past the header, everything buffered has been searched; nothing is searched twice.
        if (scanned < previous || (i + 1 >= 4 && scanned != i + 1))
            grew_as_bytes_arrived = false;
        previous = scanned;
    }
    CHECK(grew_as_bytes_arrived);
    CHECK(caller.received().empty());

    caller.feed(std::span<const std::byte>(stream).last(1));
    CHECK(caller.received() == std::vector<Received>{expected_of(message)});
    CHECK(caller.parser().scanned() == 0u); // nothing of the next frame searched yet
    CHECK(caller.violations().empty());
}

TEST_CASE("reset() forgets a partial frame") {
    FrameParser parser(64);
    const Bytes partial = bytes_of("\x01\x02\x03\x04partial");
    REQUIRE(parser.next(partial).status == Status::need_more);
    REQUIRE(parser.scanned() > 0u);

    parser.reset();
    CHECK(parser.scanned() == 0u);
    CHECK_FALSE(parser.failed());

    // A new, shorter stream (the old bytes were discarded) parses from its own start.
    const Bytes fresh = wire({{9, "ok"}});
    const auto r = parser.next(fresh);
    REQUIRE(r.status == Status::frame);
    CHECK(r.consumed == fresh.size());
    CHECK(r.frame.destination == 9u);
}

TEST_CASE("reset() clears the sticky frame_too_large") {
    FrameParser parser(8);
    REQUIRE(parser.next(wire({{1, "much too long"}})).status == Status::frame_too_large);

    parser.reset();
    CHECK_FALSE(parser.failed());
    const Bytes fresh = wire({{2, "fit"}});
    const auto r = parser.next(fresh);
    CHECK(r.status == Status::frame);
    CHECK(r.consumed == fresh.size());
}

TEST_CASE("Random streams cut at random points parse to the frames that were sent") {
    std::mt19937 rng(0x5B0A4D);
    for (int iteration = 0; iteration < 3000; ++iteration) {
        // A quarter of the streams run against a small limit, so oversized frames are common.
        const std::size_t max_frame = pick(rng, 4) == 0 ? 5 + pick(rng, 40) : large_max_frame;
        std::vector<Message> messages(pick(rng, 9));
        for (auto& m : messages) {
            for (int b = 0; b < 4; ++b) // each ID byte is zero a third of the time
                m.destination = (m.destination << 8) |
                                (pick(rng, 3) == 0 ? 0u : std::uint32_t(1 + pick(rng, 255)));
            const std::size_t length = pick(rng, 4) == 0 ? 0 : 1 + pick(rng, 64);
            for (std::size_t i = 0; i < length; ++i)
                m.body.push_back(static_cast<char>(1 + pick(rng, 255)));
        }
        std::vector<Message> deliverable;
        bool too_large = false;
        for (const auto& m : messages) {
            if (wire_size(m) > max_frame) {
                too_large = true;
                break;
            }
            deliverable.push_back(m);
        }
        const Bytes stream = wire(messages);

        Caller caller(max_frame);
        const auto mode = pick(rng, 3);
        if (mode == 0) {
            std::vector<std::size_t> cuts(pick(rng, 8));
            for (auto& c : cuts)
                c = pick(rng, stream.size() + 1);
            std::sort(cuts.begin(), cuts.end());
            feed_cut(caller, stream, cuts);
        } else if (mode == 1) {
            feed_bytewise(caller, stream);
        } else {
            for (std::size_t from = 0; from < stream.size();) {
                const std::size_t n = std::min(stream.size() - from, 1 + pick(rng, 16));
                caller.feed(std::span<const std::byte>(stream).subspan(from, n));
                from += n;
            }
        }

        INFO("iteration " << iteration << ", mode " << mode << ", max_frame " << max_frame << ", "
                          << messages.size() << " frames");
        REQUIRE(caller.received() == expected_of(deliverable));
        REQUIRE(caller.parser().failed() == too_large);
        REQUIRE(caller.violations().empty());
        if (!too_large)
            REQUIRE(caller.buffer().empty());
    }
}
