// One connection of the one-thread lab designs (race, reactor): the relay's Peer plus its
// socket and what the event loops know about it. Unlike the single-task model, where a
// connection lives in its session's coroutine frame, here the engine owns it (a shared_ptr:
// a reactor's pending readiness wait keeps it alive until its handler has seen it closed),
// and the relay refers to it as a Peer until the engine reaps it.
#pragma once

#include "single_task/peer.hpp"

#include <switchboard/config.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace switchboard::lab::one_thread {

struct Connection : single_task::Peer, std::enable_shared_from_this<Connection> {
    Connection(boost::asio::ip::tcp::socket s, std::string remote, const Config& config)
        : Peer(std::move(remote), config.max_frame, config.high_water, config.low_water)
        , socket(std::move(s)) {}

    boost::asio::ip::tcp::socket socket;
    /// Position in the engine's list of the connections it owns.
    std::size_t slot = 0;
    /// On the engine's list of peers the relay woke (Host::pending): listed once at most.
    bool pending = false;

    /// The reactor's readiness bookkeeping (the race model keeps none: it asks the kernel
    /// again every turn). What the kernel last said, true until a call said would_block...
    bool readable = true;
    bool writable = true;
    /// ... and whether a readiness wait is armed for that direction (one at most each).
    bool read_armed = false;
    bool write_armed = false;
};

} // namespace switchboard::lab::one_thread
