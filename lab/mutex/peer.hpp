// One connection of the mutex design, grouped by who may touch what. That grouping is the
// design: the rest of the folder only follows it.
//
// - Fixed once registered: written by the accept loop before anyone else can reach the peer
//   (the directory's lock, then co_spawn, publish them); read by anyone.
// - Its strand only: the socket, the wake-ups, the reader's input. The reader and the writer
//   run there, and every request from another thread is posted there, so they need no lock.
// - Guarded by `mutex`: its life, its queue and who waits for it. Any thread may lock it to
//   queue a frame or look at the queue, for as long as it takes to do that, and never while
//   holding another lock or across a co_await.
//
// `state` is both: it changes only on the strand, and always under the lock. So the strand
// reads it without locking (nobody else writes it), and any other thread reads it locked.
#pragma once

#include "core/close_reason.hpp"
#include "core/input_buffer.hpp"
#include "core/outbox.hpp"
#include "single_task/peer.hpp"
#include "single_task/wakeup.hpp"

#include <switchboard/config.hpp>
#include <switchboard/protocol.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace switchboard::lab::mutex {

/// The same life as the product's peer (single_task/peer.hpp): open, half_closed, stopping,
/// lingering, closed, with the same meaning and the same transitions.
using single_task::PeerState;
using Clock = std::chrono::steady_clock;

/// What a change of state leaves to do once the peer's lock is released.
struct Transition {
    bool unregistered = false;    ///< it left the directory: its ID must be freed
    bool stopped_reading = false; ///< it left `open`: its reader routes no more
    bool closed = false;          ///< it is closed: its socket must be closed, its coroutines woken
    /// Senders paused on it, taken when it left the directory ("until the destination leaves").
    std::vector<PeerId> resume;
};

struct Peer {
    /// `socket` is bound to the peer's own strand: its executor is the strand.
    Peer(boost::asio::ip::tcp::socket s, std::string remote_address, const Config& config)
        : remote(std::move(remote_address))
        , strand(s.get_executor())
        , socket(std::move(s))
        , writer_wakeup(socket.get_executor())
        , reader_wakeup(socket.get_executor())
        , input(config.max_frame)
        , outbox(config.high_water, config.low_water) {}
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    // --- fixed once registered
    std::string remote; ///< "127.0.0.1:5000", for logs
    /// Its strand (the socket's executor): where every request for this peer is posted.
    const boost::asio::any_io_executor strand;
    PeerId id = 0;
    std::array<std::byte, protocol::id_size> id_bytes{}; ///< what the ID entry points at

    // --- its strand only
    boost::asio::ip::tcp::socket socket;
    single_task::Wakeup writer_wakeup; ///< its queue grew, or its state changed
    single_task::Wakeup reader_wakeup; ///< a destination it waits for drained or left
    /// Ends the reader's readiness wait when the server stops reading (socket.cancel() would
    /// abort the writer's wait as well).
    boost::asio::cancellation_signal read_cancel;
    core::InputBuffer input; ///< what its reader read and has not routed yet
    /// The destination whose full queue its reader waits for (0: not paused).
    PeerId paused_on = 0;

    // --- guarded by `mutex`
    std::mutex mutex;
    PeerState state = PeerState::open; ///< changed on its strand only, always locked
    core::Outbox outbox;               ///< what is queued to it; its ID is the first entry
    /// When its socket last accepted a byte, or its queue last became non-empty.
    Clock::time_point last_progress;
    /// IDs of senders paused because this queue is above high water. By ID, not pointer: a
    /// paused sender may leave, and a stale ID only costs a lookup that finds nobody.
    std::vector<PeerId> paused_senders;
    /// Its writer found nothing to do and waits: whoever queues for it must wake it.
    bool writer_waiting = false;

    // --- guarded by the directory's mutex (peers.hpp)
    std::size_t index = 0; ///< position in the list of live peers

    /// In the directory: frames can be queued to it. Read locked, or on its strand.
    bool registered() const noexcept {
        return state == PeerState::open || state == PeerState::stopping;
    }
    /// Queued bytes and no write progress for `timeout`. Locked.
    bool stalled(Clock::time_point now, std::chrono::milliseconds timeout) const noexcept {
        return state != PeerState::closed && !outbox.empty() && now - last_progress >= timeout;
    }
    core::PeerName name() const noexcept { return {remote, id}; }

    /// Changes the state; locked, on its strand. What follows from the change is done by the
    /// caller once the lock is released (Service::settle).
    Transition set_state(PeerState to) {
        Transition t;
        if (state == to)
            return t;
        const bool was_registered = registered();
        t.stopped_reading = state == PeerState::open && to != PeerState::open;
        state = to;
        if (was_registered && !registered()) {
            t.unregistered = true;
            t.resume.swap(paused_senders);
        }
        t.closed = to == PeerState::closed;
        return t;
    }
};

} // namespace switchboard::lab::mutex
