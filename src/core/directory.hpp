// Who holds which ID. The Directory maps live IDs to peers and draws new IDs at random,
// never 0 or 0xFFFFFFFF and never one in use; it is a template only so that it can be tested
// without sockets. Underneath is IdTable, the hash table made for the one lookup every frame
// pays. std::unordered_map costs a modulo by a prime and a pointer chase to a node per lookup
// (8 % of the server's time at 16-byte messages); IdTable is open addressing over one array: a
// multiply-shift hash, linear probing, and backward-shift deletion (no tombstones, so
// connection churn never degrades it). ID 0 is reserved by the protocol, so 0 marks a free
// slot. Load stays at most one half: a miss ends within a few slots.
#pragma once

#include <switchboard/protocol.hpp>

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <utility>

namespace switchboard::core {

template <typename Value>
class IdTable {
public:
    IdTable() { rehash(16); }

    std::size_t size() const noexcept { return size_; }

    /// The value under `id`, or nullptr. `id` 0 is never held.
    Value* find(PeerId id) const noexcept {
        if (id == 0)
            return nullptr;
        for (std::size_t i = slot_of(id);; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.id == id)
                return slot.value;
            if (slot.id == 0)
                return nullptr;
        }
    }

    /// Inserts `id` (non-zero) unless present; returns whether it was inserted.
    bool insert(PeerId id, Value* value) {
        assert(id != 0);
        if (2 * (size_ + 1) > capacity_)
            rehash(2 * capacity_);
        std::size_t i = slot_of(id);
        for (; slots_[i].id != 0; i = (i + 1) & mask_)
            if (slots_[i].id == id)
                return false;
        slots_[i] = Slot{id, value};
        ++size_;
        return true;
    }

    /// Removes `id`; returns whether it was present.
    bool erase(PeerId id) noexcept {
        if (id == 0)
            return false;
        std::size_t i = slot_of(id);
        for (; slots_[i].id != id; i = (i + 1) & mask_)
            if (slots_[i].id == 0)
                return false;
        // Backward shift: pull each later entry of the probe run into the hole if its home
        // slot is at or before the hole (cyclically), so every run stays unbroken.
        for (std::size_t j = (i + 1) & mask_; slots_[j].id != 0; j = (j + 1) & mask_) {
            const std::size_t home = slot_of(slots_[j].id);
            if (((j - home) & mask_) >= ((j - i) & mask_)) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Slot{};
        --size_;
        return true;
    }

private:
    struct Slot {
        PeerId id = 0;
        Value* value = nullptr;
    };

    std::size_t slot_of(PeerId id) const noexcept {
        // Fibonacci hashing: the high bits of id * 2^64/phi, spread over the table.
        return static_cast<std::size_t>((std::uint64_t(id) * 0x9E3779B97F4A7C15ull) >> shift_);
    }

    void rehash(std::size_t capacity) {
        auto old = std::exchange(slots_, std::make_unique<Slot[]>(capacity));
        const std::size_t old_capacity = std::exchange(capacity_, capacity);
        mask_ = capacity - 1;
        shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(capacity));
        size_ = 0;
        for (std::size_t i = 0; i < old_capacity; ++i)
            if (old[i].id != 0)
                insert(old[i].id, old[i].value);
    }

    std::unique_ptr<Slot[]> slots_;
    std::size_t capacity_ = 0; ///< a power of two
    std::size_t mask_ = 0;
    unsigned shift_ = 0;
    std::size_t size_ = 0;
};

template <typename Peer>
class Directory {
public:
    /// `seed` makes ID sequences reproducible in tests; by default IDs are unpredictable.
    explicit Directory(std::uint64_t seed = std::random_device{}() ^
                                            (std::uint64_t(std::random_device{}()) << 32))
        : random_(seed) {}

    /// Registers `peer` under a fresh random ID and returns it.
    PeerId add(Peer* peer) {
        // At most 2^32 - 2 IDs exist; with n live peers the expected number of draws is
        // 1 / (1 - n / 2^32), so the loop ends at once for any realistic n.
        std::uniform_int_distribution<PeerId> draw(1, protocol::reserved_id_high - 1);
        for (;;) {
            const PeerId id = draw(random_);
            if (peers_.insert(id, peer))
                return id;
        }
    }

    /// The peer holding `id`, or nullptr (also for the reserved IDs, which nobody holds).
    Peer* find(PeerId id) const noexcept { return peers_.find(id); }

    /// Frees `id`; returns false when it was not registered.
    bool remove(PeerId id) noexcept { return peers_.erase(id); }

    std::size_t size() const noexcept { return peers_.size(); }
    bool empty() const noexcept { return peers_.size() == 0; }

private:
    std::mt19937_64 random_;
    IdTable<Peer> peers_;
};

} // namespace switchboard::core
