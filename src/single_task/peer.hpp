// One connected client: its socket, its outbox and the wake-ups of its two coroutines.
// A Peer lives in the frame of its session coroutine; everything else refers to it by ID,
// through the directory, after every suspension (a peer seen before an await may be gone
// after it).
#pragma once

#include "core/outbox.hpp"
#include "wakeup.hpp"

#include <switchboard/protocol.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <vector>

namespace switchboard::detail {

struct Peer {
    Peer(boost::asio::ip::tcp::socket s, std::size_t high_water, std::size_t low_water)
        : socket(std::move(s))
        , outbox(high_water, low_water)
        , writer_wakeup(socket.get_executor())
        , reader_wakeup(socket.get_executor()) {}

    PeerId id = 0;
    bool registered = false;   ///< holds `id` in the directory: frames can be routed to it
    bool input_done = false;   ///< the reader has finished: flush the outbox, then close
    bool eof_received = false; ///< the client has finished sending (its FIN arrived)
    bool lingering = false;    ///< FIN sent; discarding input until the client's FIN
    bool closed = false;       ///< torn down: socket closed, nothing more is written
    std::size_t index = 0;     ///< position in the server's list of live peers

    boost::asio::ip::tcp::socket socket;
    boost::asio::ip::tcp::endpoint remote;
    std::array<std::byte, protocol::id_size> id_bytes{}; ///< first entry of the outbox

    Outbox outbox;
    /// When the socket last accepted a byte, or the outbox last became non-empty.
    std::chrono::steady_clock::time_point last_progress;

    Wakeup writer_wakeup; ///< outbox not empty, or the peer is closing
    Wakeup reader_wakeup; ///< a destination we wait for drained, or we are closing
    /// IDs of senders paused because this outbox is above high water. By ID, not pointer:
    /// a paused sender may leave, and a stale ID only causes a harmless spurious wake-up.
    std::vector<PeerId> paused_senders;
    /// Cancels the reader's readiness wait when the server stops reading.
    boost::asio::cancellation_signal read_cancel;
};

} // namespace switchboard::detail
