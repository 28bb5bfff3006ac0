#include "outbox.hpp"

#include <algorithm>
#include <cassert>

namespace switchboard::detail {

void Outbox::push(ChunkRef chunk, std::span<const std::byte> payload) {
    assert(!payload.empty() && "a payload always has at least its terminator");
    entries_.push_back(Entry{std::move(chunk), payload.data(), payload.size()});
    bytes_ += payload.size();
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
            front.data += n;
            front.size -= n;
            break;
        }
        n -= front.size;
        entries_.pop_front();
        ++completed;
    }
    return completed;
}

std::size_t Outbox::clear() noexcept {
    const std::size_t dropped = entries_.size();
    entries_.clear();
    bytes_ = 0;
    return dropped;
}

} // namespace switchboard::detail
