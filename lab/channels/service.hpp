// The channels design (docs/patterns.md): share state by communicating. A pool of threads
// runs one io_context of the model's own; ONE dispatcher coroutine owns the directory and
// every per-peer count and decision (dispatcher.hpp); everyone else talks to it over one
// concurrent_channel, the inbox (messages.hpp):
// - the accept loop sends each accepted connection; the dispatcher gives it an ID (or refuses
//   it) and starts its reader and writer on the connection's strand;
// - a reader parses its reads into zero-copy frames and sends them as one batch per read, then
//   waits for the dispatcher's answer before it reads again: backpressure is the answer
//   withheld while a destination of the batch is above high water; its last batch says how its
//   input ended;
// - a writer is fed by its own channel (frames, then an explicit end or abort marker), queues
//   them in its Outbox and writes without blocking, and reports each write's progress and its
//   own end;
// - the timers (slow-consumer sweep, drain deadline) and stop/abort are messages too.
// Every send is a try_send into an unbounded channel: nobody ever waits to send, and the
// dispatcher never waits on anyone, so it cannot deadlock and one full destination cannot
// stall the others. What bounds memory is the protocol, not the channels.
//
// This is the engine behind switchboard::Server for --model channels; it keeps the contract of
// single_task/engine.hpp. Sockets are touched only on their connection's strand; the
// dispatcher closes one by posting there.
#pragma once

#include "core/chunk.hpp"
#include "core/counters.hpp"
#include "lab/channels/connection.hpp"
#include "lab/channels/dispatcher.hpp"
#include "lab/channels/messages.hpp"
#include "lab/model.hpp"
#include "lab/pool/thread_pool.hpp"
#include "single_task/engine.hpp"
#include "single_task/net.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

namespace switchboard::lab::channels {

namespace net = single_task::net; // the TCP side, shared with the product

class Service final : public single_task::Engine,
                      public DispatcherHost,
                      public std::enable_shared_from_this<Service> {
public:
    Service(boost::asio::io_context& user_io, const Config& config, const Options& options);

    // Engine
    void start(StoppedHandler on_stopped) override;
    void stop() override;
    void abort() override;
    void join() override;
    std::uint16_t port() const noexcept override { return bound_.port; }
    std::string local_address() const override { return bound_.address; }
    std::string design() const override;
    Stats stats() const noexcept override { return counters_.snapshot(); }

private:
    using tcp = boost::asio::ip::tcp;
    using Self = std::shared_ptr<Service>;

    // DispatcherHost, on the dispatcher's strand
    void start_connection(Entry& entry) override;
    void close_listener() override;
    void arm_drain_deadline() override;
    void stopped() override;

    /// Into the inbox, from any thread. Never waits, never fails (unbounded, never closed).
    void send(Event event);

    // service.cpp: the accept loop, the dispatcher's loop, the housekeeping timer
    boost::asio::awaitable<void> accept_loop(Self self);
    boost::asio::awaitable<void> dispatch_loop(Self self);
    boost::asio::awaitable<void> housekeeping_loop(Self self);

    // reader.cpp, writer.cpp: one connection, on its strand
    boost::asio::awaitable<Batch> reader(Self self, std::shared_ptr<Connection> connection);
    boost::asio::awaitable<std::string> writer(Self self, std::shared_ptr<Connection> connection);
    boost::asio::awaitable<void> finish(Connection& connection);

    const Config config_;
    const Logger log_;
    core::SharedCounters counters_;
    // The chunk pools before the thread pool: the io_context may destroy, with it, frames and
    // messages that hold chunks.
    core::ChunkPool read_chunks_;    ///< where reads land (Sharing::threads)
    core::ChunkPool staging_chunks_; ///< where writers copy small payloads, and error notices
    pool::ThreadPool pool_;

    Strand acceptor_strand_;
    tcp::acceptor acceptor_; ///< on acceptor_strand_

    // --- the dispatcher's strand: nobody else touches these
    Strand dispatcher_strand_;
    Channel<Event> inbox_;
    boost::asio::steady_timer housekeeping_;
    boost::asio::steady_timer drain_deadline_;
    Dispatcher dispatcher_;

    StoppedHandler on_stopped_; ///< only on the user's thread
    net::Bound bound_;
};

} // namespace switchboard::lab::channels
