// A peer's changes of state in the mutex service, always on its own strand: the state
// changes under the peer's lock (Peer::set_state), and what follows from it (freeing the ID,
// resuming paused senders, closing the socket) is done here once the lock is released. And
// the two ways other threads reach a strand: a request posted to it, and a writer's wake-up.
#include "lab/mutex/service.hpp"

#include <boost/asio/post.hpp>

#include <utility>

namespace switchboard::lab::mutex {

namespace asio = boost::asio;

void Service::settle(Peer& peer, Transition transition) {
    if (transition.unregistered)
        peers_.unregister(peer);
    resume(transition.resume); // "until the destination leaves"
    // The reader that stops last while draining lets the stopping peers finish. Seen from
    // the other side, begin_stop() sets draining_ before it reads reading_: one of the two
    // sees the other, so the wake-up is never missed.
    if (transition.stopped_reading && reading_.fetch_sub(1) == 1 && draining_)
        wake_all_writers();
    if (transition.closed) {
        boost::system::error_code ignored;
        peer.socket.close(ignored); // aborts the pending waits of both coroutines
        peer.writer_wakeup.notify();
        peer.reader_wakeup.notify();
    }
}

void Service::input_ended(Peer& peer, std::string_view error) {
    if (peer.state == PeerState::closed)
        return;
    if (peer.input.has_unconsumed())
        counters_.partial_frames_discarded.add();
    peer.input.discard();
    if (!error.empty()) {
        close(peer, core::CloseReason::error, error);
        return;
    }
    // EOF is leaving: the ID is freed at once; what is queued to it is still flushed.
    if (peer.state == PeerState::open) {
        Transition transition;
        {
            std::lock_guard lock(peer.mutex);
            transition = peer.set_state(PeerState::half_closed);
        }
        settle(peer, std::move(transition));
    }
    peer.writer_wakeup.notify();
}

void Service::reader_finished(Peer& peer) {
    if (peer.state != PeerState::open)
        return;
    if (!draining_) {
        close(peer, core::CloseReason::error, "reading ended");
        return;
    }
    // Keeps its ID while other readers may still route to it; flushes, then FIN.
    Transition transition;
    {
        std::lock_guard lock(peer.mutex);
        transition = peer.set_state(PeerState::stopping);
    }
    settle(peer, std::move(transition));
    peer.writer_wakeup.notify();
}

void Service::linger_ended(Peer& peer) {
    if (peer.state != PeerState::lingering)
        return;
    Transition transition;
    {
        std::lock_guard lock(peer.mutex);
        transition = peer.set_state(PeerState::closed);
    }
    settle(peer, std::move(transition));
}

void Service::close(Peer& peer, core::CloseReason reason, std::string_view detail) {
    Transition transition;
    core::Dropped dropped;
    {
        std::lock_guard lock(peer.mutex);
        if (peer.state == PeerState::closed)
            return;
        // Dropped at once: on this strand the writer is never between gather and consume
        // (it does not suspend there), so no write reads the queue now.
        dropped = {peer.outbox.frames(), peer.outbox.bytes()};
        peer.outbox.clear();
        transition = peer.set_state(PeerState::closed);
    }
    peer.input.discard();
    settle(peer, std::move(transition));
    core::record_close(counters_, log_, reason, peer.name(), detail, dropped);
}

void Service::post_to(const PeerPtr& peer, std::function<void(Service&, Peer&)> request) {
    asio::post(peer->strand, [self = shared_from_this(), peer, request = std::move(request)] {
        request(*self, *peer);
    });
}

void Service::wake_writer(const PeerPtr& peer) {
    asio::post(peer->strand, [peer] { peer->writer_wakeup.notify(); });
}

void Service::wake_all_writers() {
    for (const PeerPtr& peer : peers_.snapshot())
        wake_writer(peer);
}

} // namespace switchboard::lab::mutex
