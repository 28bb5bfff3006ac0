#include "core/chunk.hpp"

#include <limits>
#include <new>

namespace switchboard::core {

static_assert(sizeof(Chunk) % alignof(std::uint64_t) == 0,
              "chunk payload must stay aligned after the header");

ChunkPool::ChunkPool(std::size_t chunk_size, Sharing sharing, std::size_t max_cached)
    : chunk_size_(chunk_size)
    , max_cached_(max_cached)
    , shared_(sharing == Sharing::threads) {
    free_.reserve(max_cached_);
}

ChunkPool::~ChunkPool() {
    for (Chunk* chunk : free_)
        deallocate(chunk);
}

std::unique_lock<std::mutex> ChunkPool::lock() const {
    return shared_ ? std::unique_lock(mutex_) : std::unique_lock<std::mutex>();
}

std::size_t ChunkPool::cached() const {
    const auto guard = lock();
    return free_.size();
}

std::size_t ChunkPool::outstanding() const {
    const auto guard = lock();
    return outstanding_;
}

Chunk* ChunkPool::allocate(std::size_t capacity) {
    // Header and bytes in one allocation: the bytes start right after the header.
    if (capacity > std::numeric_limits<std::size_t>::max() - sizeof(Chunk))
        throw std::bad_alloc();
    void* memory = ::operator new(sizeof(Chunk) + capacity);
    return new (memory) Chunk(this, capacity, shared_);
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
    {
        const auto guard = lock();
        if (capacity <= chunk_size_ && !free_.empty()) {
            chunk = free_.back();
            free_.pop_back();
        }
        ++outstanding_;
    }
    if (chunk == nullptr) {
        try { // outside the lock: an allocation may take a while
            chunk = allocate(capacity <= chunk_size_ ? chunk_size_ : capacity);
        } catch (...) {
            const auto guard = lock();
            --outstanding_; // a failed allocation leaves no trace
            throw;
        }
    }
    return ChunkRef(chunk);
}

void ChunkPool::release(Chunk* chunk) noexcept {
    {
        const auto guard = lock();
        --outstanding_;
        if (chunk->capacity() == chunk_size_ && free_.size() < max_cached_) {
            free_.push_back(chunk); // reserved up front: never allocates, never throws
            return;
        }
    }
    deallocate(chunk);
}

} // namespace switchboard::core
