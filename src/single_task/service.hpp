// The single-task service: the engine behind switchboard::Server. One io_context, run by one
// thread, serves every connection; the Relay holds the shared state (directory, queues,
// counters) and every coroutine touches it directly between awaits, without locks.
//
// The service owns the listener, the housekeeping and drain timers and the shared iovec
// arrays, implements PeerIo for the relay, and runs the coroutines: the accept loop
// (service.cpp) and, per connection, a session with its reader and writer (session.cpp).
// Every coroutine holds a shared_ptr to the service, so the state outlives the last frame
// however the io_context ends, even a frame destroyed without being resumed.
#pragma once

#include "single_task/connection.hpp"
#include "single_task/engine.hpp"
#include "single_task/net.hpp"
#include "single_task/relay.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace switchboard::single_task {

class Service final : public Engine, public PeerIo, public std::enable_shared_from_this<Service> {
public:
    Service(boost::asio::io_context& io, Config config, Tuning tuning);

    // Engine
    void start(StoppedHandler on_stopped) override;
    void stop() override;
    void abort() override;
    std::uint16_t port() const noexcept override { return bound_.port; }
    std::string local_address() const override { return bound_.address; }
    std::string design() const override { return "single-task"; }
    Stats stats() const noexcept override { return relay_.counters().snapshot(); }

private:
    using tcp = boost::asio::ip::tcp;
    using Self = std::shared_ptr<Service>;

    // PeerIo: what the relay asks of the coroutines and sockets.
    void wake_writer(Peer& peer) override;
    void wake_reader(Peer& peer) override;
    void stop_reading(Peer& peer) override;
    void close_transport(Peer& peer) override;

    // service.cpp: the listener and the server's time.
    boost::asio::awaitable<void> accept_loop(Self self);
    boost::asio::awaitable<void> housekeeping_loop(Self self);
    void maybe_finish();

    // session.cpp: one connection.
    boost::asio::awaitable<void> session(Self self, tcp::socket socket);
    boost::asio::awaitable<void> reader(Self self, Connection& connection);
    boost::asio::awaitable<void> writer(Self self, Connection& connection);
    /// An exception inside a coroutine (not expected: bad_alloc, say): logged, then closed.
    void fail(Connection& connection, const std::exception& error);

    boost::asio::io_context& io_;
    const Config config_;
    const Logger log_;
    Relay relay_;
    tcp::acceptor acceptor_;
    boost::asio::steady_timer housekeeping_;
    boost::asio::steady_timer drain_deadline_;
    /// The iovecs of a write, shared by every writer: a write is tried without blocking and
    /// finished before the next co_await, so one writer uses them at a time, and an idle peer
    /// holds none.
    net::GatherBuffers gather_;

    StoppedHandler on_stopped_;
    net::Bound bound_;
    bool accepting_ = false; ///< the accept loop is running
    bool stopping_ = false;  ///< stop() or abort() was called
    bool stopped_ = false;   ///< on_stopped_ has run
};

/// The engine of switchboard::Server(io, config).
std::shared_ptr<Engine> make_engine(boost::asio::io_context& io, const Config& config,
                                    Tuning tuning = {});

} // namespace switchboard::single_task
