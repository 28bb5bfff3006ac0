#include "core/outbox.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace switchboard::core {

void Outbox::push(ChunkRef chunk, std::span<const std::byte> payload) {
    assert(!payload.empty() && "a payload always has at least its terminator");
    entries_.push_back(Entry{std::move(chunk), payload.data(), payload.size(), 1, false});
    bytes_ += payload.size();
    ++frames_;
}

void Outbox::append(ChunkPool& staging, std::span<const std::byte> payload) {
    assert(!payload.empty() && payload.back() == std::byte{0} && "a payload with its terminator");
    const std::size_t n = payload.size();
    Entry* last = entries_.empty() ? nullptr : &entries_[entries_.size() - 1];
    // The staging chunk is this outbox's alone (one reference), so the bytes after the entry
    // are free: nobody else reads or writes them.
    const bool fits = last != nullptr && last->staging &&
                      static_cast<std::size_t>(last->chunk->data() + last->chunk->capacity() -
                                               (last->data + last->size)) >= n;
    if (!fits) {
        ChunkRef chunk = staging.acquire(n);
        const std::byte* start = chunk->data();
        entries_.push_back(Entry{std::move(chunk), start, 0, 0, true});
        last = &entries_[entries_.size() - 1];
    }
    std::memcpy(last->chunk->data() + (last->data - last->chunk->data()) + last->size,
                payload.data(), n);
    last->size += n;
    ++last->frames;
    bytes_ += n;
    ++frames_;
}

std::size_t Outbox::gather(std::span<ByteView> out, std::size_t max_bytes) const noexcept {
    std::size_t count = 0;
    std::size_t total = 0;
    while (count < out.size() && count < entries_.size() && total < max_bytes) {
        const Entry& e = entries_[count];
        const std::size_t take = std::min(e.size, max_bytes - total);
        out[count++] = ByteView{e.data, take};
        total += take;
    }
    return count;
}

std::size_t Outbox::consume(std::size_t n) noexcept {
    assert(n <= bytes_);
    bytes_ -= n;
    std::size_t completed = 0;
    while (n > 0) {
        Entry& front = entries_.front();
        if (n < front.size) {
            if (front.staging) {
                const auto done =
                    static_cast<std::size_t>(std::count(front.data, front.data + n, std::byte{0}));
                front.frames -= done;
                completed += done;
            }
            front.data += n;
            front.size -= n;
            break;
        }
        n -= front.size;
        completed += front.frames;
        entries_.pop_front();
    }
    frames_ -= completed;
    return completed;
}

std::size_t Outbox::clear() noexcept {
    const std::size_t dropped = frames_;
    entries_.clear();
    bytes_ = 0;
    frames_ = 0;
    return dropped;
}

} // namespace switchboard::core
