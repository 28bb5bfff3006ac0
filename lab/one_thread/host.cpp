// The one-thread host's life, listener, time and bookkeeping: open, stop, abort, accepting,
// the timer's work, the pending list the relay's wake-ups feed, and reaping closed peers.
// The per-peer steps are in steps.cpp.
#include "lab/one_thread/host.hpp"

#include "core/log_lines.hpp"
#include "single_task/net.hpp"

#include <algorithm>
#include <utility>

namespace switchboard::lab::one_thread {

namespace asio = boost::asio;
using single_task::PeerState;

Host::Host(asio::io_context& io, const Config& config, single_task::Tuning tuning)
    : io_(io)
    , config_(config)
    , log_(config_.log_level, config_.log_sink)
    , relay_(config_, tuning, log_, *this)
    , acceptor_(io) {}

Host::~Host() {
    // A reactor's pending wait may hold a connection beyond this (when the io_context is
    // destroyed without running the abort the facade posted): its chunks go back now, while
    // the relay's pools still exist.
    for (const auto& c : connections_) {
        c->input.discard();
        c->outbox.clear();
    }
}

// --- the engine's life

void Host::open(StoppedHandler on_stopped) {
    bound_ = net::open_listener(acceptor_, config_);
    acceptor_.non_blocking(true); // accept until would_block after one readiness
    on_stopped_ = std::move(on_stopped);
    next_sweep_ = Clock::now() + core::housekeeping_period(config_.slow_consumer_timeout);
}

void Host::begin_stop() {
    if (stopping_)
        return;
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    relay_.begin_drain();
    drain_deadline_ = Clock::now() + config_.drain_timeout;
}

void Host::begin_abort() {
    if (stopped_)
        return;
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    drain_deadline_ = Clock::time_point::max();
    relay_.abort();
}

void Host::reap() {
    // Every peer on the list is closed already, so forget() closes nobody and the list does
    // not grow while it is walked.
    for (Connection* c : std::exchange(closed_, {}))
        release(*c);
    if (!stopping_ || stopped_ || relay_.size() != 0)
        return;
    stopped_ = true;
    next_sweep_ = drain_deadline_ = Clock::time_point::max();
    if (on_stopped_)
        std::exchange(on_stopped_, {})(relay_.counters().snapshot());
}

void Host::release(Connection& c) {
    relay_.forget(c); // counts it closed, logs "disconnected"
    c.input.discard();
    c.outbox.clear();
    // Swap-remove from the owned list: O(1), and `slot` stays exact. The last reference may
    // be this one: `c` is not used after.
    const std::size_t slot = c.slot;
    std::shared_ptr<Connection>& last = connections_.back();
    last->slot = slot;
    std::swap(connections_[slot], last);
    connections_.pop_back();
}

// --- the listener

void Host::accept_some() {
    for (std::size_t i = 0; i < accepts_per_turn && acceptor_.is_open(); ++i) {
        boost::system::error_code ec;
        tcp::socket socket = acceptor_.accept(ec);
        if (net::would_block(ec))
            return;
        if (ec) {
            const bool back_off = net::must_back_off(ec);
            core::log_accept_failed(log_, ec.message(), back_off);
            if (back_off) {
                // Accept fails at once while this lasts: the loop does not wait on the
                // listener until then (next_deadline() wakes it).
                accept_resume_at_ = Clock::now() + core::accept_backoff;
                return;
            }
            continue; // one connection's problem (it reset before we took it, say)
        }
        if (relay_.full()) {
            relay_.refuse(net::remote_address(socket));
            continue; // closed as it goes: no ID was sent
        }
        admit(std::move(socket));
    }
}

void Host::admit(tcp::socket socket) {
    net::prepare_accepted(socket);
    std::string remote = net::remote_address(socket);
    auto c = std::make_shared<Connection>(std::move(socket), std::move(remote), config_);
    c->slot = connections_.size();
    connections_.push_back(c);
    // Addressable from here, and counted against max_connections at the next accept; its ID
    // is queued, and the relay wakes its writer.
    relay_.admit(*c, Clock::now());
}

// --- time

Host::Clock::time_point Host::next_deadline() const noexcept {
    auto at = std::min(next_sweep_, drain_deadline_);
    if (accepting() && accept_resume_at_ > Clock::now())
        at = std::min(at, accept_resume_at_);
    return at;
}

void Host::on_timer(Clock::time_point now) {
    if (now >= next_sweep_) {
        next_sweep_ = now + core::housekeeping_period(config_.slow_consumer_timeout);
        relay_.sweep(now);
    }
    if (now >= drain_deadline_) {
        drain_deadline_ = Clock::time_point::max(); // once
        relay_.drain_deadline_passed();
    }
}

// --- the pending list, fed by the relay's requests

std::vector<std::shared_ptr<Connection>> Host::take_pending() {
    auto batch = std::exchange(pending_, {});
    for (const auto& c : batch)
        c->pending = false;
    return batch;
}

void Host::mark_pending(Connection& c) {
    if (c.pending || c.state == PeerState::closed)
        return;
    c.pending = true;
    pending_.push_back(c.shared_from_this());
    if (pending_.size() == 1)
        pending_added();
}

void Host::wake_writer(single_task::Peer& peer) {
    mark_pending(static_cast<Connection&>(peer));
}

void Host::wake_reader(single_task::Peer& peer) {
    mark_pending(static_cast<Connection&>(peer));
}

void Host::stop_reading(single_task::Peer& peer) {
    // settle() sees the relay draining: the reader routes what it holds and finishes.
    mark_pending(static_cast<Connection&>(peer));
}

void Host::close_transport(single_task::Peer& peer) {
    auto& c = static_cast<Connection&>(peer);
    boost::system::error_code ignored;
    c.socket.close(ignored); // its pending waits end with operation_aborted
    closed_.push_back(&c);
}

} // namespace switchboard::lab::one_thread
