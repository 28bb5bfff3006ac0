#include "core/input_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace switchboard::core {

std::size_t InputBuffer::min_room(std::size_t chunk_size) noexcept {
    return std::max<std::size_t>(256, chunk_size / 16);
}

std::span<std::byte> InputBuffer::prepare(ChunkPool& pool) {
    if (!chunk_) {
        chunk_ = pool.acquire();
        begin_ = end_ = 0;
    } else if (begin_ == end_ && chunk_->use_count() == 1) {
        begin_ = end_ = 0; // everything was routed and written already: reuse from the start
    } else if (chunk_->capacity() - end_ < min_room(pool.chunk_size())) {
        const std::size_t partial = end_ - begin_;
        // Twice the partial frame once it has outgrown a standard chunk, so a long frame
        // costs O(n) copies; never more than the largest frame needs.
        const std::size_t wanted = std::min(std::max(pool.chunk_size(), 2 * partial),
                                            std::max(parser_.max_frame(), pool.chunk_size()));
        if (chunk_->use_count() == 1 && wanted <= chunk_->capacity()) {
            std::memmove(chunk_->data(), chunk_->data() + begin_, partial); // nobody else reads it
        } else {
            ChunkRef bigger = pool.acquire(wanted);
            std::memcpy(bigger->data(), chunk_->data() + begin_, partial); // the one copy
            chunk_ = std::move(bigger);
        }
        begin_ = 0;
        end_ = partial;
    }
    return {chunk_->data() + end_, chunk_->capacity() - end_};
}

void InputBuffer::release_if_idle() noexcept {
    if (chunk_ && begin_ == end_ && chunk_->use_count() == 1)
        chunk_.reset();
}

void InputBuffer::discard() noexcept {
    chunk_.reset();
    begin_ = end_ = 0;
    parser_.reset();
}

} // namespace switchboard::core
