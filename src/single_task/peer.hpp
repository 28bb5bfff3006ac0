// One connected client as the relay sees it: its ID, where it is in its life, its input and
// its queue. No sockets here; the IO layer around the relay derives its connection from this
// (connection.hpp) and owns it. Everything else refers to a peer by ID, through the
// directory, after every suspension: a peer seen before an await may be gone after it.
#pragma once

#include "core/close_reason.hpp"
#include "core/input_buffer.hpp"
#include "core/outbox.hpp"

#include <switchboard/protocol.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace switchboard::single_task {

/// A peer's life. Every change goes through Relay::set_state, which keeps the directory and
/// the count of reading peers in step with it:
///
///     open ──EOF──────────► half_closed ──flushed──────────────────────► closed
///       └──server stops──► stopping ──flushed, FIN──► lingering ──FIN──► closed
///     any state ──error, limit, drain deadline, abort─────────────────► closed
enum class PeerState {
    open,        ///< holds its ID; read and written
    half_closed, ///< the client's FIN arrived: its ID is free, its queue flushes, then FIN
    stopping,    ///< the server stopped reading it: keeps its ID while frames may still be
                 ///< routed to it, flushes, then FIN
    lingering,   ///< our FIN is sent; its input is discarded until the client's FIN, so that
                 ///< closing does not reset what it has not read yet
    closed,      ///< torn down: transport closed, queue dropped; its owner will forget it
};

std::string_view to_string(PeerState state) noexcept;

struct Peer {
    Peer(std::string remote_address, std::size_t max_frame, std::size_t high_water,
         std::size_t low_water)
        : remote(std::move(remote_address))
        , input(max_frame)
        , outbox(high_water, low_water) {}
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    PeerId id = 0;
    PeerState state = PeerState::open;
    std::string remote; ///< "127.0.0.1:5000", for logs

    core::InputBuffer input; ///< what its reader read and has not routed yet
    core::Outbox outbox;     ///< what is queued to it; its ID is the first entry
    /// When its socket last accepted a byte, or its queue last became non-empty.
    std::chrono::steady_clock::time_point last_progress;
    /// The destination whose full queue this peer waits for (0: not paused).
    PeerId paused_on = 0;
    /// IDs of senders paused because this queue is above high water. By ID, not pointer: a
    /// paused sender may leave, and a stale ID only costs a lookup that finds nobody.
    std::vector<PeerId> paused_senders;

    std::size_t index = 0; ///< position in the relay's list of live peers
    std::array<std::byte, protocol::id_size> id_bytes{}; ///< what the ID entry points at

    /// In the directory: frames can be routed to it.
    bool registered() const noexcept {
        return state == PeerState::open || state == PeerState::stopping;
    }
    core::PeerName name() const noexcept { return {remote, id}; }
};

} // namespace switchboard::single_task
