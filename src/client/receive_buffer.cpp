#include "receive_buffer.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace switchboard::detail {

ReceiveBuffer::ReceiveBuffer(std::size_t min_read)
    : min_read_(std::max<std::size_t>(min_read, 1)) {}

std::span<char> ReceiveBuffer::prepare() {
    if (begin_ == end_)
        clear(); // nothing unconsumed: start over at the front for free
    if (capacity_ - end_ < min_read_ && begin_ > 0) {
        // Only a partial message is left; moving it is cheaper than growing.
        std::memmove(storage_.get(), storage_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        scanned_ -= begin_;
        begin_ = 0;
    }
    if (capacity_ - end_ < min_read_) {
        // A message longer than the storage: double, so a long message costs O(n) copies.
        const std::size_t capacity = std::max(capacity_ * 2, end_ + min_read_);
        auto storage = std::make_unique_for_overwrite<char[]>(capacity);
        if (end_ > 0)
            std::memcpy(storage.get(), storage_.get(), end_);
        storage_ = std::move(storage);
        capacity_ = capacity;
    }
    return {storage_.get() + end_, capacity_ - end_};
}

void ReceiveBuffer::commit(std::size_t n) noexcept {
    assert(n <= capacity_ - end_);
    end_ += n;
}

std::optional<std::string_view> ReceiveBuffer::next_message() noexcept {
    const std::size_t from = std::max(scanned_, begin_);
    const void* hit = from < end_ ? std::memchr(storage_.get() + from, 0, end_ - from) : nullptr;
    if (hit == nullptr) {
        scanned_ = end_;
        return std::nullopt;
    }
    const auto at = static_cast<std::size_t>(static_cast<const char*>(hit) - storage_.get());
    const std::string_view message(storage_.get() + begin_, at - begin_);
    begin_ = scanned_ = at + 1;
    return message;
}

std::string_view ReceiveBuffer::take(std::size_t n) noexcept {
    assert(n <= size());
    const std::string_view bytes(storage_.get() + begin_, n);
    begin_ += n;
    scanned_ = std::max(scanned_, begin_);
    return bytes;
}

} // namespace switchboard::detail
