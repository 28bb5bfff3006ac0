// One connection of the single-task service: the relay's Peer plus what its two coroutines
// need: the socket, the wake-ups each of them waits on, and the reader's cancellation. It
// lives in the frame of its session coroutine; the relay refers to it as a Peer.
#pragma once

#include "single_task/peer.hpp"
#include "single_task/wakeup.hpp"

#include <switchboard/config.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace switchboard::single_task {

struct Connection : Peer {
    Connection(boost::asio::ip::tcp::socket s, std::string remote, const Config& config)
        : Peer(std::move(remote), config.max_frame, config.high_water, config.low_water)
        , socket(std::move(s))
        , writer_wakeup(socket.get_executor())
        , reader_wakeup(socket.get_executor()) {}

    boost::asio::ip::tcp::socket socket;
    Wakeup writer_wakeup; ///< its queue is not empty, or its state changed
    Wakeup reader_wakeup; ///< a destination it waits for drained or left, or it is closing
    /// Ends the reader's readiness wait when the server stops reading (not socket.cancel(),
    /// which would abort the writer's wait as well).
    boost::asio::cancellation_signal read_cancel;
};

} // namespace switchboard::single_task
