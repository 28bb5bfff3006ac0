// Ring (the FIFO under the outbox) and Outbox (a peer's write queue without IO).
#include "core/chunk.hpp"
#include "core/outbox.hpp"
#include "core/ring.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>

using switchboard::core::ByteView;
using switchboard::core::ChunkPool;
using switchboard::core::ChunkRef;
using switchboard::core::Outbox;
using switchboard::core::Ring;

namespace {

std::size_t pick(std::mt19937& rng, std::size_t n) {
    return rng() % n;
}

/// Counts live instances, so that leaks and double destruction show up as a wrong count.
struct Tracked {
    static inline int alive = 0;
    int value;
    explicit Tracked(int v)
        : value(v) {
        ++alive;
    }
    Tracked(const Tracked& other)
        : value(other.value) {
        ++alive;
    }
    Tracked(Tracked&& other) noexcept
        : value(other.value) {
        other.value = -1;
        ++alive;
    }
    Tracked& operator=(const Tracked&) = default;
    Tracked& operator=(Tracked&&) = default;
    ~Tracked() { --alive; }
};

/// Checks size, order and the power-of-two capacity against the model.
bool same_as(const Ring<int>& ring, const std::deque<int>& model) {
    if (ring.size() != model.size() || ring.empty() != model.empty())
        return false;
    if (ring.capacity() < ring.size() ||
        (ring.capacity() != 0 && !std::has_single_bit(ring.capacity())))
        return false;
    for (std::size_t i = 0; i < model.size(); ++i)
        if (ring[i] != model[i])
            return false;
    return true;
}

/// Payloads for the outbox: each one written into its own chunk from a pool.
class Payloads {
public:
    explicit Payloads(std::size_t chunk_size = 4096)
        : pool_(chunk_size) {}

    /// A chunk holding `size` bytes of `fill` at offset 8, and the span of those bytes.
    std::pair<ChunkRef, std::span<const std::byte>> make(std::size_t size, std::uint8_t fill) {
        ChunkRef chunk = pool_.acquire(size + 8);
        std::fill_n(chunk->data() + 8, size, std::byte{fill});
        return {chunk, std::span<const std::byte>(chunk->data() + 8, size)};
    }

    /// Queues a payload of `size` bytes whose values count up from `first`.
    std::span<const std::byte> push_counting(Outbox& outbox, std::size_t size, std::uint8_t first) {
        ChunkRef chunk = pool_.acquire(size);
        for (std::size_t i = 0; i < size; ++i)
            chunk->data()[i] = std::byte(static_cast<std::uint8_t>(first + i));
        const std::span<const std::byte> payload(chunk->data(), size);
        outbox.push(std::move(chunk), payload);
        return payload;
    }

    ChunkPool& pool() { return pool_; }

private:
    ChunkPool pool_;
};

} // namespace

// ---------------------------------------------------------------------------------- Ring

TEST_CASE("A new ring is empty and allocates nothing until the first push") {
    Ring<int> ring;
    CHECK(ring.empty());
    CHECK(ring.size() == 0u);
    CHECK(ring.capacity() == 0u);
    ring.push_back(1);
    CHECK(ring.capacity() >= 1u);
    CHECK(ring.front() == 1);
}

TEST_CASE("A ring keeps FIFO order when it grows while wrapped around") {
    Ring<int> ring;
    std::deque<int> model;
    int next = 0;
    // Fill the first storage, then move the head forward so the live range wraps.
    for (int i = 0; i < 3; ++i) {
        ring.push_back(next);
        model.push_back(next++);
    }
    const std::size_t first_capacity = ring.capacity();
    for (int i = 0; i < 2; ++i) {
        ring.pop_front();
        model.pop_front();
    }
    while (ring.size() < first_capacity) {
        ring.push_back(next);
        model.push_back(next++);
    }
    REQUIRE(ring.capacity() == first_capacity); // wrapped, not grown
    REQUIRE(same_as(ring, model));

    ring.push_back(next); // grows with head != 0
    model.push_back(next++);
    CHECK(ring.capacity() > first_capacity);
    CHECK(same_as(ring, model));
    while (!model.empty()) {
        REQUIRE(ring.front() == model.front());
        ring.pop_front();
        model.pop_front();
    }
    CHECK(ring.empty());
}

TEST_CASE("A ring behaves like std::deque through many random pushes and pops") {
    std::mt19937 rng(1234);
    Ring<int> ring;
    std::deque<int> model;
    bool consistent = true;
    int next = 0;
    std::size_t first_bad_step = 0;
    for (std::size_t step = 0; step < 200'000 && consistent; ++step) {
        // Phases that favour pushing, then popping, so the size swings up and down and the
        // head wraps at many different capacities.
        const bool push_phase = (step / 5000) % 2 == 0;
        const bool push = model.empty() || pick(rng, 10) < (push_phase ? 6u : 4u);
        if (push) {
            ring.push_back(next);
            model.push_back(next++);
        } else {
            if (ring.front() != model.front())
                consistent = false;
            ring.pop_front();
            model.pop_front();
        }
        if (ring.size() != model.size() || (!model.empty() && ring.front() != model.front()))
            consistent = false;
        if (step % 997 == 0 && !same_as(ring, model))
            consistent = false;
        if (!consistent)
            first_bad_step = step;
    }
    INFO("first inconsistency at step " << first_bad_step);
    CHECK(consistent);
    CHECK(same_as(ring, model));
}

TEST_CASE("A ring does not grow while its length stays within its past maximum") {
    Ring<int> ring;
    for (int i = 0; i < 100; ++i)
        ring.push_back(i);
    const std::size_t capacity = ring.capacity();
    std::deque<int> model(100);
    std::iota(model.begin(), model.end(), 0);
    int next = 100;
    for (int round = 0; round < 10'000; ++round) {
        ring.pop_front();
        model.pop_front();
        ring.push_back(next);
        model.push_back(next++);
    }
    CHECK(ring.capacity() == capacity);
    CHECK(same_as(ring, model));
}

TEST_CASE("A ring constructs and destroys each element exactly once") {
    Tracked::alive = 0;
    {
        Ring<Tracked> ring;
        for (int i = 0; i < 37; ++i) // several growths
            ring.push_back(Tracked(i));
        CHECK(Tracked::alive == 37);
        for (int i = 0; i < 10; ++i) {
            CHECK(ring.front().value == i);
            ring.pop_front();
        }
        CHECK(Tracked::alive == 27);
        for (int i = 37; i < 50; ++i)
            ring.push_back(Tracked(i));
        CHECK(Tracked::alive == 40);
        CHECK(ring.front().value == 10);
        CHECK(ring[39].value == 49);
        ring.clear();
        CHECK(Tracked::alive == 0);
        CHECK(ring.empty());
        for (int i = 0; i < 5; ++i)
            ring.push_back(Tracked(i));
        CHECK(Tracked::alive == 5);
    } // the destructor drops the rest
    CHECK(Tracked::alive == 0);
}

TEST_CASE("A ring holds move-only values") {
    Ring<std::unique_ptr<int>> ring;
    for (int i = 0; i < 20; ++i)
        ring.push_back(std::make_unique<int>(i));
    for (int i = 0; i < 20; ++i) {
        REQUIRE(ring.front() != nullptr);
        CHECK(*ring.front() == i);
        ring.pop_front();
    }
    CHECK(ring.empty());
}

TEST_CASE("release_storage gives the memory back and the ring stays usable") {
    Tracked::alive = 0;
    Ring<Tracked> ring;
    for (int i = 0; i < 100; ++i)
        ring.push_back(Tracked(i));
    ring.release_storage();
    CHECK(ring.capacity() == 0u);
    CHECK(ring.empty());
    CHECK(Tracked::alive == 0);
    ring.push_back(Tracked(7));
    CHECK(ring.front().value == 7);
    CHECK(ring.size() == 1u);
}

// -------------------------------------------------------------------------------- Outbox

TEST_CASE("An outbox counts the bytes and frames it holds") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    CHECK(outbox.empty());
    CHECK(outbox.bytes() == 0u);
    CHECK(outbox.frames() == 0u);

    payloads.push_counting(outbox, 5, 0);
    payloads.push_counting(outbox, 7, 10);
    payloads.push_counting(outbox, 3, 20);

    CHECK_FALSE(outbox.empty());
    CHECK(outbox.bytes() == 15u);
    CHECK(outbox.frames() == 3u);
}

TEST_CASE("gather returns views of the queued payloads, front first") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    const auto a = payloads.push_counting(outbox, 5, 0);
    const auto b = payloads.push_counting(outbox, 7, 10);
    const auto c = payloads.push_counting(outbox, 3, 20);

    std::array<ByteView, 8> views{};
    REQUIRE(outbox.gather(views, 1'000'000) == 3u);
    CHECK(views[0].data == a.data());
    CHECK(views[0].size == a.size());
    CHECK(views[1].data == b.data());
    CHECK(views[1].size == b.size());
    CHECK(views[2].data == c.data());
    CHECK(views[2].size == c.size());
    CHECK(outbox.bytes() == 15u); // gathering writes nothing
}

TEST_CASE("gather takes at most max_bytes and cuts the last view short") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    const auto a = payloads.push_counting(outbox, 5, 0);
    const auto b = payloads.push_counting(outbox, 7, 10);
    payloads.push_counting(outbox, 3, 20);
    std::array<ByteView, 8> views{};

    SECTION("a limit inside the second payload") {
        REQUIRE(outbox.gather(views, 9) == 2u);
        CHECK(views[0].data == a.data());
        CHECK(views[0].size == 5u);
        CHECK(views[1].data == b.data());
        CHECK(views[1].size == 4u);
    }
    SECTION("a limit at the end of the first payload") {
        REQUIRE(outbox.gather(views, 5) == 1u);
        CHECK(views[0].size == 5u);
    }
    SECTION("a limit of one byte") {
        REQUIRE(outbox.gather(views, 1) == 1u);
        CHECK(views[0].data == a.data());
        CHECK(views[0].size == 1u);
    }
    SECTION("a limit of zero") {
        CHECK(outbox.gather(views, 0) == 0u);
    }
}

TEST_CASE("gather fills no more views than it is given") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    for (std::uint8_t i = 0; i < 5; ++i)
        payloads.push_counting(outbox, 4, static_cast<std::uint8_t>(i * 4));
    std::array<ByteView, 2> views{};
    CHECK(outbox.gather(views, 1'000'000) == 2u);
    CHECK(outbox.gather(std::span<ByteView>(), 1'000'000) == 0u);
    CHECK(outbox.gather(std::span<ByteView>(views).first(1), 1'000'000) == 1u);
    CHECK(views[0].size == 4u);
}

TEST_CASE("gather on an empty outbox fills nothing") {
    Outbox outbox(10, 5);
    std::array<ByteView, 4> views{};
    CHECK(outbox.gather(views, 100) == 0u);
}

TEST_CASE("Consuming part of the front payload leaves its rest at the front") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    const auto a = payloads.push_counting(outbox, 5, 0);
    payloads.push_counting(outbox, 7, 10);

    CHECK(outbox.consume(3) == 0u);
    CHECK(outbox.bytes() == 9u);
    CHECK(outbox.frames() == 2u);

    std::array<ByteView, 4> views{};
    REQUIRE(outbox.gather(views, 1'000'000) == 2u);
    CHECK(views[0].data == a.data() + 3);
    CHECK(views[0].size == 2u);
    CHECK(views[1].size == 7u);

    SECTION("a limit within the rest counts only the rest") {
        REQUIRE(outbox.gather(views, 4) == 2u);
        CHECK(views[0].size == 2u);
        CHECK(views[1].size == 2u);
    }
    SECTION("consuming the rest completes the frame") {
        CHECK(outbox.consume(2) == 1u);
        CHECK(outbox.frames() == 1u);
        CHECK(outbox.bytes() == 7u);
    }
}

TEST_CASE("consume reports how many whole frames it completed") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    payloads.push_counting(outbox, 5, 0);
    payloads.push_counting(outbox, 7, 10);
    payloads.push_counting(outbox, 3, 20);
    payloads.push_counting(outbox, 4, 30);

    CHECK(outbox.consume(0) == 0u);
    CHECK(outbox.consume(12) == 2u); // exactly the first two
    CHECK(outbox.frames() == 2u);
    CHECK(outbox.bytes() == 7u);
    CHECK(outbox.consume(4) == 1u); // the third and one byte of the fourth
    CHECK(outbox.bytes() == 3u);
    CHECK(outbox.consume(3) == 1u);
    CHECK(outbox.empty());
    CHECK(outbox.bytes() == 0u);
}

TEST_CASE("The high water mark trips only above it, the low water mark holds at it") {
    Payloads payloads;
    Outbox outbox(10, 4);
    CHECK_FALSE(outbox.above_high_water());
    CHECK(outbox.at_or_below_low_water());

    payloads.push_counting(outbox, 4, 0);
    CHECK(outbox.at_or_below_low_water()); // exactly low water
    payloads.push_counting(outbox, 1, 0);
    CHECK_FALSE(outbox.at_or_below_low_water()); // one above
    payloads.push_counting(outbox, 5, 0);
    CHECK(outbox.bytes() == 10u);
    CHECK_FALSE(outbox.above_high_water()); // exactly high water
    payloads.push_counting(outbox, 1, 0);
    CHECK(outbox.above_high_water()); // one above

    outbox.consume(1);
    CHECK_FALSE(outbox.above_high_water());
    CHECK_FALSE(outbox.at_or_below_low_water());
    outbox.consume(5);
    CHECK(outbox.bytes() == 5u);
    CHECK_FALSE(outbox.at_or_below_low_water());
    outbox.consume(1);
    CHECK(outbox.at_or_below_low_water());
}

TEST_CASE("clear drops every frame, resets the byte count and frees the chunks") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    for (int i = 0; i < 6; ++i)
        payloads.push_counting(outbox, 10, 0);
    outbox.consume(15); // a partly written front entry is dropped too
    REQUIRE(payloads.pool().outstanding() == 5u);

    CHECK(outbox.clear() == 5u);
    CHECK(outbox.empty());
    CHECK(outbox.bytes() == 0u);
    CHECK(outbox.frames() == 0u);
    CHECK(payloads.pool().outstanding() == 0u);
    CHECK(outbox.clear() == 0u);

    payloads.push_counting(outbox, 3, 0); // usable afterwards
    CHECK(outbox.bytes() == 3u);
}

TEST_CASE("A queued payload keeps its chunk alive until it is fully written") {
    Payloads payloads;
    Outbox outbox(1000, 100);
    auto [chunk, first] = payloads.make(6, 0xAA);
    // Two frames from the same read share one chunk.
    const std::span<const std::byte> second(chunk->data() + 20, 4);
    outbox.push(chunk, first);
    outbox.push(chunk, second);
    CHECK(chunk->use_count() == 3u);

    chunk.reset();
    CHECK(payloads.pool().outstanding() == 1u); // held by the outbox alone

    outbox.consume(6);
    CHECK(payloads.pool().outstanding() == 1u);
    outbox.consume(3);
    CHECK(payloads.pool().outstanding() == 1u); // a byte of the second frame is still queued
    outbox.consume(1);
    CHECK(payloads.pool().outstanding() == 0u);
}

TEST_CASE("An outbox agrees with a byte-queue model through random pushes, gathers, consumes") {
    std::mt19937 rng(99);
    Payloads payloads(256);
    Outbox outbox(1u << 20, 1u << 10);
    std::deque<std::uint8_t> bytes;     // everything queued, in order
    std::deque<std::size_t> frame_left; // bytes still queued per frame
    std::uint8_t counter = 0;
    bool consistent = true;
    int first_bad_step = -1;
    auto fail = [&](int step) {
        if (consistent)
            first_bad_step = step;
        consistent = false;
    };

    for (int step = 0; step < 20'000; ++step) {
        const auto action = pick(rng, 3);
        if (action == 0 || bytes.empty()) {
            const std::size_t size = 1 + pick(rng, 300); // some outgrow the standard chunk
            payloads.push_counting(outbox, size, counter);
            for (std::size_t i = 0; i < size; ++i)
                bytes.push_back(static_cast<std::uint8_t>(counter + i));
            counter = static_cast<std::uint8_t>(counter + size);
            frame_left.push_back(size);
        } else if (action == 1) {
            std::array<ByteView, 6> views{};
            const std::size_t out_size = pick(rng, views.size() + 1);
            const std::size_t max_bytes = pick(rng, 800);
            const std::size_t n =
                outbox.gather(std::span<ByteView>(views).first(out_size), max_bytes);
            // Expected: whole remaining frames while they fit the views and the limit.
            std::size_t expected_views = 0, expected_total = 0;
            while (expected_views < out_size && expected_views < frame_left.size() &&
                   expected_total < max_bytes) {
                expected_total += std::min(frame_left[expected_views], max_bytes - expected_total);
                ++expected_views;
            }
            if (n != expected_views)
                fail(step);
            std::size_t offset = 0;
            for (std::size_t v = 0; v < std::min(n, views.size()) && consistent; ++v) {
                if (views[v].size == 0 || views[v].size > frame_left[v])
                    fail(step);
                for (std::size_t i = 0; i < views[v].size && consistent; ++i)
                    if (std::to_integer<std::uint8_t>(views[v].data[i]) != bytes[offset + i])
                        fail(step);
                offset += views[v].size;
            }
            if (offset != expected_total)
                fail(step);
        } else {
            const std::size_t n = pick(rng, std::min<std::size_t>(bytes.size(), 700) + 1);
            std::size_t expected_completed = 0;
            for (std::size_t left = n; left > 0;) {
                const std::size_t take = std::min(left, frame_left.front());
                frame_left.front() -= take;
                left -= take;
                if (frame_left.front() == 0) {
                    frame_left.pop_front();
                    ++expected_completed;
                }
            }
            bytes.erase(bytes.begin(), bytes.begin() + std::ptrdiff_t(n));
            if (outbox.consume(n) != expected_completed)
                fail(step);
        }
        if (outbox.bytes() != bytes.size() || outbox.frames() != frame_left.size() ||
            outbox.empty() != bytes.empty())
            fail(step);
        if (!consistent)
            break;
    }
    INFO("first disagreement at step " << first_bad_step);
    CHECK(consistent);
    outbox.clear();
    CHECK(payloads.pool().outstanding() == 0u);
}

// ------------------------------------------------------------------ Outbox::append (copies)

namespace {

/// A payload as a frame carries it: `size - 1` non-zero bytes from `first`, then 0x00.
std::vector<std::byte> terminated(std::size_t size, std::uint8_t first) {
    std::vector<std::byte> payload(size, std::byte{0});
    for (std::size_t i = 0; i + 1 < size; ++i)
        payload[i] = std::byte(static_cast<std::uint8_t>(1 + (first + i) % 255));
    return payload;
}

/// Everything gathered from the front, as one byte string (views in order).
std::vector<std::byte> gathered(const Outbox& outbox) {
    std::array<ByteView, 64> views{};
    std::vector<std::byte> out;
    const std::size_t n = outbox.gather(views, std::size_t(-1));
    for (std::size_t i = 0; i < n; ++i)
        out.insert(out.end(), views[i].data, views[i].data + views[i].size);
    return out;
}

} // namespace

TEST_CASE("append coalesces small payloads into one staging entry, in order") {
    ChunkPool staging(64);
    Outbox outbox(1000, 100);
    const auto a = terminated(5, 0);
    const auto b = terminated(7, 10);
    const auto c = terminated(1, 0); // an empty payload: the terminator alone
    outbox.append(staging, a);
    outbox.append(staging, b);
    outbox.append(staging, c);
    CHECK(outbox.bytes() == 13u);
    CHECK(outbox.frames() == 3u);
    CHECK(staging.outstanding() == 1u); // one chunk holds all three

    std::array<ByteView, 8> views{};
    REQUIRE(outbox.gather(views, 1000) == 1u); // one iovec for three frames
    std::vector<std::byte> expected(a);
    expected.insert(expected.end(), b.begin(), b.end());
    expected.insert(expected.end(), c.begin(), c.end());
    CHECK(gathered(outbox) == expected);

    SECTION("a partial write completes the frames whose terminators it wrote") {
        CHECK(outbox.consume(4) == 0u);
        CHECK(outbox.consume(1) == 1u); // a's terminator
        CHECK(outbox.frames() == 2u);
        CHECK(outbox.consume(8) == 2u);
        CHECK(outbox.empty());
        CHECK(staging.outstanding() == 0u);
    }
    SECTION("appending after a partial write goes on where the entry ends") {
        CHECK(outbox.consume(6) == 1u);
        const auto d = terminated(3, 40);
        outbox.append(staging, d);
        std::vector<std::byte> rest(expected.begin() + 6, expected.end());
        rest.insert(rest.end(), d.begin(), d.end());
        CHECK(gathered(outbox) == rest);
        CHECK(outbox.frames() == 3u);
    }
    SECTION("clear counts every frame still queued") {
        CHECK(outbox.consume(3) == 0u);
        CHECK(outbox.clear() == 3u);
        CHECK(staging.outstanding() == 0u);
    }
}

TEST_CASE("append starts a new staging chunk when the last entry is a view or full") {
    ChunkPool staging(16);
    Payloads payloads;
    Outbox outbox(1000, 100);
    outbox.append(staging, terminated(10, 0));
    outbox.append(staging, terminated(10, 0)); // 20 > 16: a second chunk
    CHECK(staging.outstanding() == 2u);
    payloads.push_counting(outbox, 4, 1);     // a view
    outbox.append(staging, terminated(2, 0)); // after a view: a third chunk
    CHECK(staging.outstanding() == 3u);
    CHECK(outbox.frames() == 4u);
    CHECK(outbox.bytes() == 26u);
    std::array<ByteView, 8> views{};
    CHECK(outbox.gather(views, 1000) == 4u);
    CHECK(outbox.consume(26) == 4u);
    CHECK(staging.outstanding() == 0u);
}

TEST_CASE("An outbox of views and copies agrees with a byte-queue model") {
    std::mt19937 rng(7);
    ChunkPool staging(128);
    Payloads payloads(256);
    Outbox outbox(1u << 20, 1u << 10);
    std::vector<std::byte> model;       // every byte queued and not yet consumed
    std::deque<std::size_t> frame_left; // bytes still queued per frame
    for (int step = 0; step < 20'000; ++step) {
        const auto action = pick(rng, 3);
        if (action == 0 || model.empty()) {
            const std::size_t size = 1 + pick(rng, 200);
            if (pick(rng, 2) == 0) {
                const auto payload = terminated(size, static_cast<std::uint8_t>(step));
                outbox.append(staging, payload);
                model.insert(model.end(), payload.begin(), payload.end());
            } else {
                const auto view = payloads.push_counting(outbox, size, 1);
                model.insert(model.end(), view.begin(), view.end());
            }
            frame_left.push_back(size);
        } else {
            const std::size_t n = pick(rng, std::min<std::size_t>(model.size(), 600) + 1);
            std::size_t completed = 0;
            for (std::size_t left = n; left > 0;) {
                const std::size_t take = std::min(left, frame_left.front());
                frame_left.front() -= take;
                left -= take;
                if (frame_left.front() == 0) {
                    frame_left.pop_front();
                    ++completed;
                }
            }
            REQUIRE(outbox.consume(n) == completed);
            model.erase(model.begin(), model.begin() + std::ptrdiff_t(n));
        }
        REQUIRE(outbox.bytes() == model.size());
        REQUIRE(outbox.frames() == frame_left.size());
        if (step % 97 == 0) {
            // gather sees at most 64 entries; compare that prefix of the model.
            const auto front = gathered(outbox);
            REQUIRE(front.size() <= model.size());
            REQUIRE(std::equal(front.begin(), front.end(), model.begin()));
        }
    }
    outbox.clear();
    CHECK(staging.outstanding() == 0u);
    CHECK(payloads.pool().outstanding() == 0u);
}
