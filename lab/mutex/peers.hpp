// The mutex design's shared directory: who holds which ID (the product's core::Directory)
// and the list of live peers, behind one std::mutex.
//
// The lock is held only to look up, add or remove, never while another lock is taken or
// across a co_await. A lookup copies a shared_ptr out, so the peer outlives the lock: its
// queue is then locked on its own (peer.hpp), with the directory's lock released. A peer is
// live from its admission until both its coroutines have ended; it holds an ID while it is
// registered (open or stopping), and leaves the directory before it leaves the list.
#pragma once

#include "core/directory.hpp"
#include "lab/mutex/peer.hpp"

#include <switchboard/protocol.hpp>

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace switchboard::lab::mutex {

using PeerPtr = std::shared_ptr<Peer>;

class Peers {
public:
    /// The registered peer holding `id`, or null.
    PeerPtr find(PeerId id) const;

    /// Makes `peer` live and gives it a fresh ID, written into peer->id and peer->id_bytes
    /// under the lock, before any other thread can find it.
    void add(const PeerPtr& peer);
    /// Frees its ID: it can no longer be found (it stays live).
    void unregister(const Peer& peer);
    /// It has left: out of the list of live peers (it was unregistered before).
    void remove(const Peer& peer);

    /// Peers alive now, for a sweep over all of them without holding the lock.
    std::vector<PeerPtr> snapshot() const;
    std::size_t size() const;

private:
    mutable std::mutex mutex_;
    core::Directory<Peer> directory_;
    std::vector<PeerPtr> live_; ///< every live peer, registered or not; Peer::index is its slot
};

} // namespace switchboard::lab::mutex
