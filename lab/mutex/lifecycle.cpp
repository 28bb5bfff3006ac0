// The mutex service's listener and life: start, the accept loop and admission, the
// housekeeping sweep, stop, abort, the drain deadline and the finish, and Engine::join. All
// of it runs on the control strand, so the lifecycle flags need no lock; connections are
// reached through the directory's snapshot and asked by posts to their strands.
#include "core/log_lines.hpp"
#include "core/policy.hpp"
#include "lab/engines.hpp"
#include "lab/mutex/service.hpp"
#include "single_task/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace switchboard::lab {

std::shared_ptr<single_task::Engine>
make_mutex_engine(boost::asio::io_context& io, const Config& config, const Options& options) {
    return std::make_shared<mutex::Service>(io, config, options);
}

} // namespace switchboard::lab

namespace switchboard::lab::mutex {

namespace asio = boost::asio;
using asio::use_awaitable;

Service::Service(asio::io_context& user_io, Config config, const Options& options)
    : user_io_(user_io)
    , config_(std::move(config))
    , log_(config_.log_level, config_.log_sink)
    , read_chunks_(options.tuning.read_chunk_size, core::Sharing::threads)
    , staging_chunks_(core::staging_chunk_size, core::Sharing::threads)
    , pool_(user_io, pool::resolve_threads(options.threads))
    , control_(asio::make_strand(pool_.context()))
    , acceptor_(control_)
    , housekeeping_(control_)
    , drain_deadline_(control_) {}

std::string Service::design() const {
    return pool_.describe("mutex");
}

// --- Engine: on the user's thread (join: any thread)

void Service::start(StoppedHandler on_stopped) {
    bound_ = net::open_listener(acceptor_, config_);
    on_stopped_ = std::move(on_stopped);
    // Everything here happens before the threads start, which publishes it to them.
    accepting_ = true;
    const Self self = shared_from_this();
    asio::co_spawn(control_, accept_loop(self), core::log_failure(self, log_, "accept loop"));
    asio::co_spawn(control_, housekeeping_loop(self),
                   core::log_failure(self, log_, "housekeeping"));
    started_ = true;
    pool_.start();
}

void Service::stop() {
    pool_.submit(control_, [self = shared_from_this()] { self->begin_stop(); });
}

void Service::abort() {
    pool_.submit(control_, [self = shared_from_this()] { self->begin_abort(); });
}

void Service::join() {
    if (!started_)
        return;
    // The Server's abort was posted to the user's io_context, which may never run again.
    pool_.submit(control_, [self = shared_from_this()] { self->begin_abort(); });
    pool_.wait_and_join();
}

// --- the control strand

asio::awaitable<void> Service::accept_loop([[maybe_unused]] Self self) {
    co_await net::accept_connections(
        acceptor_, log_,
        // Each connection gets a strand of its own; its socket is bound to it from the start.
        [this] { return asio::make_strand(pool_.context()); },
        [this](tcp::socket socket, auto&&) {
            // Exact: only this loop adds peers, and a leaving peer is out of the list before it
            // logs "disconnected", so a client that saw that may take the slot at once.
            if (peers_.size() >= config_.max_connections) {
                counters_.connections_refused.add();
                core::log_refused(log_, net::remote_address(socket), config_.max_connections);
                return; // closed as it goes: no ID was sent
            }
            admit(std::move(socket));
        });
    accepting_ = false;
    maybe_finish();
}

void Service::admit(tcp::socket socket) {
    net::prepare_accepted(socket);
    std::string remote = net::remote_address(socket);
    // The last reference may be dropped on any thread (a router, the sweep): the peer is
    // destroyed on its own strand, after everything its strand did with the socket.
    PeerPtr peer(new Peer(std::move(socket), std::move(remote), config_), [](Peer* p) {
        const asio::any_io_executor strand = p->strand;
        asio::post(strand, [p] { delete p; });
    });
    // Still private: nobody can reach it before Peers::add. The ID goes first in its queue,
    // as a view of id_bytes, which add() fills in under the directory's lock.
    peer->outbox.push(core::ChunkRef{}, peer->id_bytes);
    peer->last_progress = Clock::now();
    ++reading_; // before anyone can route to it, so "no reader left" is never early
    peers_.add(peer);
    counters_.connections_accepted.add();
    core::log_connected(log_, peer->name());
    const Self self = shared_from_this();
    asio::co_spawn(peer->strand, session(self, peer), core::log_failure(self, log_, "session"));
}

asio::awaitable<void> Service::housekeeping_loop([[maybe_unused]] Self self) {
    const auto period = core::housekeeping_period(config_.slow_consumer_timeout);
    while (!finished_) {
        housekeeping_.expires_after(period);
        // Suspension: peers come and go meanwhile; the sweep looks at them as they are now.
        auto [ec] = co_await housekeeping_.async_wait(asio::as_tuple(use_awaitable));
        if (ec || finished_)
            break;
        const auto now = Clock::now();
        for (const PeerPtr& peer : peers_.snapshot()) {
            bool stalled = false;
            {
                std::lock_guard lock(peer->mutex);
                stalled = peer->stalled(now, config_.slow_consumer_timeout);
            }
            if (!stalled)
                continue;
            // Closed on its strand, which looks again: its writer may have moved meanwhile.
            post_to(peer, [](Service& service, Peer& p) {
                bool still = false;
                {
                    std::lock_guard lock(p.mutex);
                    still = p.stalled(Clock::now(), service.config_.slow_consumer_timeout);
                }
                if (still)
                    service.close(p, core::CloseReason::slow_consumer);
            });
        }
    }
}

void Service::begin_stop() {
    if (stopping_)
        return;
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    draining_ = true;
    for (const PeerPtr& peer : peers_.snapshot())
        post_to(peer, [](Service&, Peer& p) {
            p.read_cancel.emit(asio::cancellation_type::terminal); // if waiting for input
            p.reader_wakeup.notify();                              // if paused
        });
    if (reading_ == 0)
        wake_all_writers(); // nothing can be routed any more: stopping peers may finish
    drain_deadline_.expires_after(config_.drain_timeout);
    drain_deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || self->finished_)
            return;
        for (const PeerPtr& peer : self->peers_.snapshot())
            self->post_to(peer, [](Service& service, Peer& p) {
                if (p.state != PeerState::closed)
                    service.close(p, core::at_drain_deadline(p.state == PeerState::lingering));
            });
    });
    maybe_finish();
}

void Service::begin_abort() {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    draining_ = true; // nothing pauses any more
    for (const PeerPtr& peer : peers_.snapshot())
        post_to(peer,
                [](Service& service, Peer& p) { service.close(p, core::CloseReason::aborted); });
    maybe_finish();
}

void Service::maybe_finish() {
    if (!stopping_ || accepting_ || finished_ || peers_.size() != 0)
        return;
    finished_ = true;
    housekeeping_.cancel();
    drain_deadline_.cancel();
    // What is still queued on the pool ends without starting anything new; the pool is
    // joined on the user's thread, and then the facade hears of it there.
    pool_.finish([self = shared_from_this()] {
        if (self->on_stopped_)
            std::exchange(self->on_stopped_, {})(self->counters_.snapshot());
    });
}

} // namespace switchboard::lab::mutex
