#include "chunk.hpp"

#include <limits>
#include <new>

namespace switchboard::detail {

static_assert(sizeof(Chunk) % alignof(std::uint64_t) == 0,
              "chunk payload must stay aligned after the header");

ChunkPool::ChunkPool(std::size_t chunk_size, std::size_t max_cached)
    : chunk_size_(chunk_size)
    , max_cached_(max_cached) {
    free_.reserve(max_cached_);
}

ChunkPool::~ChunkPool() {
    for (Chunk* chunk : free_)
        deallocate(chunk);
}

Chunk* ChunkPool::allocate(ChunkPool* pool, std::size_t capacity) {
    // Header and bytes in one allocation: the bytes start right after the header.
    if (capacity > std::numeric_limits<std::size_t>::max() - sizeof(Chunk))
        throw std::bad_alloc();
    void* memory = ::operator new(sizeof(Chunk) + capacity);
    return new (memory) Chunk(pool, capacity);
}

void ChunkPool::deallocate(Chunk* chunk) noexcept {
    chunk->~Chunk();
    ::operator delete(static_cast<void*>(chunk));
}

ChunkRef ChunkPool::acquire() {
    return acquire(chunk_size_);
}

ChunkRef ChunkPool::acquire(std::size_t capacity) {
    Chunk* chunk = nullptr;
    if (capacity <= chunk_size_ && !free_.empty()) {
        chunk = free_.back();
        free_.pop_back();
    } else {
        chunk = allocate(this, capacity <= chunk_size_ ? chunk_size_ : capacity);
    }
    ++outstanding_; // only once the chunk exists: a failed allocation leaves no trace
    return ChunkRef(chunk);
}

void ChunkPool::release(Chunk* chunk) noexcept {
    --outstanding_;
    if (chunk->capacity() == chunk_size_ && free_.size() < max_cached_)
        free_.push_back(chunk); // reserved up front: never allocates, never throws
    else
        deallocate(chunk);
}

} // namespace switchboard::detail
