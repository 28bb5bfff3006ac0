#include "lab/mutex/peers.hpp"

#include <cassert>
#include <utility>

namespace switchboard::lab::mutex {

PeerPtr Peers::find(PeerId id) const {
    std::lock_guard lock(mutex_);
    const Peer* peer = directory_.find(id);
    return peer != nullptr ? live_[peer->index] : nullptr;
}

void Peers::add(const PeerPtr& peer) {
    std::lock_guard lock(mutex_);
    peer->index = live_.size();
    live_.push_back(peer);
    peer->id = directory_.add(peer.get());
    protocol::store_u32(peer->id_bytes, peer->id);
}

void Peers::unregister(const Peer& peer) {
    std::lock_guard lock(mutex_);
    assert(directory_.find(peer.id) == &peer && "a peer leaves the directory once");
    directory_.remove(peer.id);
}

void Peers::remove(const Peer& peer) {
    PeerPtr leaving; // dropped after the lock: the last reference posts the peer's destruction
    std::lock_guard lock(mutex_);
    assert(directory_.find(peer.id) != &peer && "unregistered before it leaves");
    // Swap-remove: O(1), and every index stays exact.
    const std::size_t slot = peer.index;
    std::swap(live_[slot], live_.back());
    live_[slot]->index = slot;
    leaving = std::move(live_.back());
    live_.pop_back();
}

std::vector<PeerPtr> Peers::snapshot() const {
    std::lock_guard lock(mutex_);
    return live_;
}

std::size_t Peers::size() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

} // namespace switchboard::lab::mutex
