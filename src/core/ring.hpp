// A FIFO on a power-of-two circular array. Unlike std::deque it allocates nothing until the
// first push, and in steady state (queue length within its past maximum) never allocates.
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <utility>

namespace switchboard::core {

template <typename T>
class Ring {
public:
    Ring() noexcept = default;
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
    ~Ring() { clear(); }

    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return capacity_; }

    T& front() noexcept {
        assert(!empty());
        return slots_[head_];
    }
    /// The i-th element from the front.
    T& operator[](std::size_t i) noexcept {
        assert(i < size_);
        return slots_[(head_ + i) & (capacity_ - 1)];
    }
    const T& operator[](std::size_t i) const noexcept {
        assert(i < size_);
        return slots_[(head_ + i) & (capacity_ - 1)];
    }

    void push_back(T value) {
        if (size_ == capacity_)
            grow();
        std::construct_at(&slots_[(head_ + size_) & (capacity_ - 1)], std::move(value));
        ++size_;
    }

    void pop_front() noexcept {
        assert(!empty());
        std::destroy_at(&slots_[head_]);
        head_ = (head_ + 1) & (capacity_ - 1);
        --size_;
    }

    void clear() noexcept {
        while (!empty())
            pop_front();
        head_ = 0;
    }

    /// Gives the storage back; for queues that went quiet after a burst.
    void release_storage() noexcept {
        clear();
        storage_.reset();
        slots_ = nullptr;
        capacity_ = 0;
    }

private:
    struct Deleter {
        void operator()(T* p) const noexcept { std::allocator<T>().deallocate(p, capacity); }
        std::size_t capacity = 0;
    };

    void grow() {
        const std::size_t capacity = capacity_ == 0 ? 4 : capacity_ * 2;
        T* slots = std::allocator<T>().allocate(capacity);
        for (std::size_t i = 0; i < size_; ++i) {
            T& from = slots_[(head_ + i) & (capacity_ - 1)];
            std::construct_at(&slots[i], std::move(from));
            std::destroy_at(&from);
        }
        storage_ = std::unique_ptr<T, Deleter>(slots, Deleter{capacity});
        slots_ = slots;
        capacity_ = capacity;
        head_ = 0;
    }

    std::unique_ptr<T, Deleter> storage_;
    T* slots_ = nullptr;
    std::size_t capacity_ = 0;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
};

} // namespace switchboard::core
