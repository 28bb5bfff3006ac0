// Who holds which ID. The directory maps live IDs to peers and draws new IDs at random,
// never 0 or 0xFFFFFFFF and never one in use. It is a template only so that it can be tested
// without sockets; the server instantiates it with its Peer type.
#pragma once

#include "core/id_table.hpp"

#include <switchboard/protocol.hpp>

#include <cstdint>
#include <random>

namespace switchboard::core {

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
