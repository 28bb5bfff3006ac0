// Reference-counted byte buffers. A read lands in a chunk; every frame parsed from it is
// queued as a view that holds a reference, so a payload is not copied between the read and
// the write. The chunk is freed (or pooled) by its last reference, wherever that is.
//
// How the count is kept is the one thing that depends on how a model shares its state, so a
// pool says it once for all its chunks:
// - Sharing::one_thread: every reference is taken and dropped on one thread, so counting is a
//   plain load and store (single-task, race, reactor);
// - Sharing::threads: references move between threads (a reader's chunk queued to a peer
//   written by another thread), so counting is an atomic read-modify-write and the pool's
//   free list takes a lock (mutex, channels). That is the price of threads, paid per
//   reference and per chunk, and visible in the comparison (docs/patterns.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace switchboard::core {

enum class Sharing { one_thread, threads };

class ChunkPool;

class Chunk {
public:
    std::byte* data() noexcept { return reinterpret_cast<std::byte*>(this + 1); }
    const std::byte* data() const noexcept { return reinterpret_cast<const std::byte*>(this + 1); }
    std::size_t capacity() const noexcept { return capacity_; }
    /// With Sharing::threads, 1 means every other reference has been dropped and its owner's
    /// accesses happened before (the drops release, this load acquires).
    std::uint32_t use_count() const noexcept { return refs_.load(std::memory_order_acquire); }

private:
    friend class ChunkPool;
    friend class ChunkRef;
    Chunk(ChunkPool* pool, std::size_t capacity, bool shared) noexcept
        : pool_(pool)
        , capacity_(capacity)
        , shared_(shared) {}

    void add_ref() noexcept {
        if (shared_)
            refs_.fetch_add(1, std::memory_order_relaxed);
        else
            refs_.store(refs_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    }
    /// True when that was the last reference.
    bool drop_ref() noexcept {
        if (shared_)
            return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1;
        const std::uint32_t left = refs_.load(std::memory_order_relaxed) - 1;
        refs_.store(left, std::memory_order_relaxed);
        return left == 0;
    }

    ChunkPool* pool_;
    std::size_t capacity_;
    std::atomic<std::uint32_t> refs_{0};
    bool shared_;
};

/// An owning reference to a chunk (an intrusive shared pointer).
class ChunkRef {
public:
    ChunkRef() noexcept = default;
    explicit ChunkRef(Chunk* chunk) noexcept
        : chunk_(chunk) {
        if (chunk_)
            chunk_->add_ref();
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
    explicit ChunkPool(std::size_t chunk_size, Sharing sharing = Sharing::one_thread,
                       std::size_t max_cached = 256);
    ~ChunkPool();
    ChunkPool(const ChunkPool&) = delete;
    ChunkPool& operator=(const ChunkPool&) = delete;

    /// A chunk of the standard size.
    ChunkRef acquire();
    /// A chunk of at least `capacity` bytes.
    ChunkRef acquire(std::size_t capacity);

    std::size_t chunk_size() const noexcept { return chunk_size_; }
    Sharing sharing() const noexcept { return shared_ ? Sharing::threads : Sharing::one_thread; }
    std::size_t cached() const;
    std::size_t outstanding() const;

private:
    friend class ChunkRef;
    void release(Chunk* chunk) noexcept;
    /// Locks the free list when the pool is shared; an empty lock otherwise.
    std::unique_lock<std::mutex> lock() const;
    Chunk* allocate(std::size_t capacity);
    static void deallocate(Chunk* chunk) noexcept;

    std::size_t chunk_size_;
    std::size_t max_cached_;
    bool shared_;
    mutable std::mutex mutex_; ///< only with Sharing::threads: guards the two below
    std::size_t outstanding_ = 0;
    std::vector<Chunk*> free_;
};

inline void ChunkRef::reset() noexcept {
    if (chunk_ && chunk_->drop_ref())
        chunk_->pool_->release(chunk_);
    chunk_ = nullptr;
}

} // namespace switchboard::core
