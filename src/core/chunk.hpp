// Reference-counted read buffers. A read lands in a chunk; every frame parsed from it is
// queued as a view that holds a reference, so a payload is never copied between the read and
// the write. Everything runs on one thread, so the count is a plain integer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace switchboard::detail {

class ChunkPool;

class Chunk {
public:
    std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this + 1); }
    const std::byte* data() const noexcept { return reinterpret_cast<const std::byte*>(this + 1); }
    std::size_t capacity() const noexcept { return capacity_; }
    std::uint32_t use_count() const noexcept { return refs_; }

private:
    friend class ChunkPool;
    friend class ChunkRef;
    Chunk(ChunkPool* pool, std::size_t capacity) noexcept
        : pool_(pool)
        , capacity_(capacity) {}

    ChunkPool* pool_;
    std::size_t capacity_;
    std::uint32_t refs_ = 0;
};

/// An owning reference to a chunk (an intrusive, non-atomic shared pointer).
class ChunkRef {
public:
    ChunkRef() noexcept = default;
    explicit ChunkRef(Chunk* chunk) noexcept
        : chunk_(chunk) {
        if (chunk_)
            ++chunk_->refs_;
    }
    ChunkRef(const ChunkRef& other) noexcept
        : ChunkRef(other.chunk_) {}
    ChunkRef(ChunkRef&& other) noexcept
        : chunk_(std::exchange(other.chunk_, nullptr)) {}
    ChunkRef& operator=(ChunkRef other) noexcept {
        std::swap(chunk_, other.chunk_);
        return *this;
    }
    ~ChunkRef() { reset(); }

    void reset() noexcept;
    Chunk* get() const noexcept { return chunk_; }
    Chunk* operator->() const noexcept { return chunk_; }
    explicit operator bool() const noexcept { return chunk_ != nullptr; }

private:
    Chunk* chunk_ = nullptr;
};

/// Hands out chunks and keeps released standard-size ones for reuse, so steady-state traffic
/// allocates nothing. Chunks of other sizes (a frame that outgrew a standard chunk) are freed.
/// The pool must outlive every chunk it handed out.
class ChunkPool {
public:
    explicit ChunkPool(std::size_t chunk_size, std::size_t max_cached = 256);
    ~ChunkPool();
    ChunkPool(const ChunkPool&) = delete;
    ChunkPool& operator=(const ChunkPool&) = delete;

    /// A chunk of the standard size.
    ChunkRef acquire();
    /// A chunk of at least `capacity` bytes.
    ChunkRef acquire(std::size_t capacity);

    std::size_t chunk_size() const noexcept { return chunk_size_; }
    std::size_t cached() const noexcept { return free_.size(); }
    std::size_t outstanding() const noexcept { return outstanding_; }

private:
    friend class ChunkRef;
    void release(Chunk* chunk) noexcept;
    static Chunk* allocate(ChunkPool* pool, std::size_t capacity);
    static void deallocate(Chunk* chunk) noexcept;

    std::size_t chunk_size_;
    std::size_t max_cached_;
    std::size_t outstanding_ = 0;
    std::vector<Chunk*> free_;
};

inline void ChunkRef::reset() noexcept {
    if (chunk_ && --chunk_->refs_ == 0)
        chunk_->pool_->release(chunk_);
    chunk_ = nullptr;
}

} // namespace switchboard::detail
