// The state behind switchboard::Server and the coroutines that serve it. Shared ownership:
// every coroutine holds a shared_ptr to the Impl, so the state outlives the last coroutine
// frame however the io_context ends (see Server's lifetime note).
//
// Concurrency model: all members are touched only from the one thread running the
// io_context. Code between two co_awaits runs without interruption, so every invariant below
// need only hold at suspension points; the comments at each co_await say which.
#pragma once

#include "core/chunk.hpp"
#include "core/directory.hpp"
#include "peer.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>
#include <switchboard/server.hpp>
#include <switchboard/stats.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace switchboard {

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
public:
    using Peer = detail::Peer;
    using tcp = boost::asio::ip::tcp;

    /// Why a connection was torn down: decides the counter and the log line.
    enum class CloseReason {
        error,
        frame_too_large,
        slow_consumer,
        drain_timeout,
        aborted,
        linger_ended, ///< a lingering close reached the drain deadline: nothing was lost
    };

    Impl(boost::asio::io_context& io, Config config);

    void start();
    void stop(std::function<void()> on_stopped);
    void abort();

    // Every coroutine takes `self` by value: a coroutine's parameters live in its frame, so
    // the state outlives the frame even when the io_context destroys it without resuming it.

    // --- server.cpp: listener, lifecycle, housekeeping
    boost::asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self);
    boost::asio::awaitable<void> housekeeping_loop(std::shared_ptr<Impl> self);
    void close_slow_consumers();
    void maybe_finish_stop();

    // --- session.cpp: one connection
    boost::asio::awaitable<void> session(std::shared_ptr<Impl> self, tcp::socket socket);
    boost::asio::awaitable<void> reader(std::shared_ptr<Impl> self, Peer& peer);
    void reader_finished(Peer& peer);
    boost::asio::awaitable<void> writer(std::shared_ptr<Impl> self, Peer& peer);
    boost::asio::awaitable<void> close_gracefully(Peer& peer);
    boost::asio::awaitable<void> wait_for_drain(Peer& sender, PeerId destination);
    /// Queues a frame read from `sender`; returns the ID of a destination that is now above
    /// high water (the sender must pause for it), or 0.
    PeerId route(Peer& sender, const detail::ChunkRef& chunk, const Frame& frame);
    void enqueue(Peer& destination, const detail::ChunkRef& chunk,
                 std::span<const std::byte> payload);
    void send_error_notice(Peer& sender, PeerId destination);
    void unregister(Peer& peer);
    void wake_paused_senders(Peer& peer);
    void finish_input(Peer& peer);
    void close_peer(Peer& peer, CloseReason reason, std::string_view detail = {});
    void drop_outbox(Peer& peer);
    void forget(Peer& peer);

    boost::asio::io_context& io;
    const Config config;
    Logger log;
    Counters counters;

    tcp::acceptor acceptor;
    detail::ChunkPool chunks;
    /// Where small payloads are copied to be sent together (Outbox::append).
    detail::ChunkPool staging_chunks;
    /// The iovecs of a write. Shared by every writer: a write is tried without blocking and
    /// finished before the next co_await, so only one writer uses them at a time, and an idle
    /// peer holds none.
    std::array<detail::ByteView, 64> gather_views;
    std::array<boost::asio::const_buffer, 64> gather_buffers;
    detail::Directory<Peer> directory;
    std::vector<Peer*> peers; ///< every live session's peer, registered or not
    boost::asio::steady_timer housekeeping;
    boost::asio::steady_timer drain_deadline;

    enum class State { created, running, draining, stopped };
    State state = State::created;
    bool accepting = false;       ///< the accept loop is running
    bool reading_stopped = false; ///< stop(): readers finish what they hold and end
    std::size_t active_readers = 0;
    std::vector<std::function<void()>> stopped_handlers;
};

} // namespace switchboard
