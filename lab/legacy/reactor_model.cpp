// The reactor model (docs/patterns.md): one thread, hand-rolled, epoll-style. The io_context
// is used as the poller only: every socket has at most one readiness wait per direction
// (async_wait(wait_read) / async_wait(wait_write)), and its handler does nothing but mark the
// socket ready and put it on the ready list. One loop turn (a posted handler) drains that
// list: for each ready socket it reads with non-blocking read_some and routes the frames,
// writes with non-blocking write_some, each capped per socket per turn, and arms a wait only
// when the socket said would_block. A socket that used its whole budget goes to the back of
// the list for the next turn, after the handlers of other sockets have had their say: no
// socket starves the others.
//
// Output queued to a destination puts it on the ready list too (Redis's "clients pending
// write"): the write is tried at once, and a write wait is armed only if the kernel is full.
// Nothing is in flight while the loop runs, so a stop or abort request (posted from any
// thread) touches the state directly.
#include "one_thread_relay.hpp"
#include "server_model.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <vector>

namespace switchboard::detail {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using one_thread::Clock;
using one_thread::Peer;
using one_thread::Relay;
using one_thread::tcp;

/// Per socket per turn (Redis reads 16 KiB per event; relayed frames are often larger).
constexpr std::size_t read_budget = 64 * KiB;
constexpr std::size_t write_budget = 256 * KiB;
constexpr std::size_t accept_budget = 64;

class Reactor final : public Relay, public std::enable_shared_from_this<Reactor> {
public:
    Reactor(asio::io_context& io, Config config)
        : Relay(io, std::move(config), "reactor")
        , timer_(io) {}

    void start() {
        open();
        finish_turn();
    }

    void request_stop(std::function<void()> on_stopped) {
        stop(std::move(on_stopped));
        finish_turn();
    }
    void request_abort() {
        abort();
        finish_turn();
    }

private:
    void touched(Peer& peer) override { mark_ready(peer.shared_from_this()); }

    void mark_ready(std::shared_ptr<Peer> peer) {
        if (peer->closed || peer->io.queued)
            return;
        peer->io.queued = true;
        ready_.push_back(std::move(peer));
        schedule_turn();
    }

    void schedule_turn() {
        if (turn_scheduled_)
            return;
        turn_scheduled_ = true;
        asio::post(io, [self = shared_from_this()] { self->turn(); });
    }

    /// One loop turn: advance every socket that was ready when it began.
    void turn() {
        turn_scheduled_ = false;
        if (state() == State::stopped)
            return;
        auto batch = std::move(ready_);
        ready_.clear();
        for (const auto& peer : batch) {
            peer->io.queued = false;
            service(*peer);
        }
        if (accept_ready_) {
            accept_ready_ = false;
            accept_some(accept_budget);
        }
        finish_turn();
    }

    void service(Peer& peer) {
        if (peer.closed)
            return;
        bool more = false;
        if (peer.io.readable && (wants_read(peer) || wants_linger_read(peer))) {
            const Progress progress =
                peer.lingering ? discard_input(peer, read_budget) : read_input(peer, read_budget);
            if (progress == Progress::would_block)
                peer.io.readable = false;
            more = progress == Progress::budget_spent;
        }
        if (!peer.closed && peer.has_output() && peer.io.writable) {
            const Progress progress = write_output(peer, write_budget);
            if (progress == Progress::would_block)
                peer.io.writable = false;
            more = more || progress == Progress::budget_spent;
        }
        if (peer.closed)
            return;
        if (more)
            mark_ready(peer.shared_from_this()); // the rest next turn: fairness
        arm(peer);
    }

    /// Arms a readiness wait for each direction the peer wants but the kernel refused.
    void arm(Peer& peer) {
        auto self = shared_from_this();
        auto p = peer.shared_from_this();
        if ((wants_read(peer) || wants_linger_read(peer)) && !peer.io.readable &&
            !peer.io.read_armed) {
            peer.io.read_armed = true;
            peer.socket.async_wait(tcp::socket::wait_read, [self, p](error_code) {
                p->io.read_armed = false;
                if (p->closed)
                    return;            // closing aborted the wait
                p->io.readable = true; // or an error, which the read will report
                self->mark_ready(p);
            });
        }
        if (peer.has_output() && !peer.io.writable && !peer.io.write_armed) {
            peer.io.write_armed = true;
            peer.socket.async_wait(tcp::socket::wait_write, [self, p](error_code) {
                p->io.write_armed = false;
                if (p->closed)
                    return;
                p->io.writable = true;
                self->mark_ready(p);
            });
        }
    }

    /// After every turn, timer and request: reap, then re-arm the listener and the timer.
    void finish_turn() {
        end_turn();
        if (state() == State::stopped) {
            timer_.cancel(); // own no pending work once stopped
            return;
        }
        if (state() == State::created)
            return;
        const auto now = Clock::now();
        if (accepting() && !accept_armed_ && now >= accept_resume_at()) {
            accept_armed_ = true;
            acceptor.async_wait(tcp::acceptor::wait_read,
                                [self = shared_from_this()](error_code ec) {
                                    self->accept_armed_ = false;
                                    if (ec == asio::error::operation_aborted || !self->accepting())
                                        return;
                                    self->accept_ready_ = true;
                                    self->schedule_turn();
                                });
        }
        auto at = next_deadline();
        if (accepting() && now < accept_resume_at())
            at = std::min(at, accept_resume_at());
        if (timer_armed_ && at >= timer_at_)
            return;
        timer_armed_ = true;
        timer_at_ = at;
        timer_.expires_at(at); // aborts an earlier, later wait
        timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec == asio::error::operation_aborted)
                return;
            self->timer_armed_ = false;
            self->on_timer(Clock::now());
            self->finish_turn();
        });
    }

    asio::steady_timer timer_;
    Clock::time_point timer_at_ = Clock::time_point::max();
    bool timer_armed_ = false;
    bool accept_armed_ = false;
    bool accept_ready_ = false;
    std::vector<std::shared_ptr<Peer>> ready_;
    bool turn_scheduled_ = false;
};

class ReactorModel final : public ServerModel {
public:
    ReactorModel(asio::io_context& io, Config config)
        : reactor_(std::make_shared<Reactor>(io, std::move(config))) {}
    ~ReactorModel() override { abort(); }

    void start() override { reactor_->start(); }
    std::uint16_t port() const noexcept override { return reactor_->port; }
    std::string local_address() const override { return reactor_->address; }
    Stats stats() const noexcept override { return reactor_->counters.snapshot(); }

    void stop(std::function<void()> on_stopped) override {
        asio::post(reactor_->io, [reactor = reactor_, handler = std::move(on_stopped)]() mutable {
            reactor->request_stop(std::move(handler));
        });
    }
    void abort() override {
        asio::post(reactor_->io, [reactor = reactor_] { reactor->request_abort(); });
    }

private:
    std::shared_ptr<Reactor> reactor_;
};

} // namespace

std::unique_ptr<ServerModel> make_reactor_model(asio::io_context& io, Config config) {
    return std::make_unique<ReactorModel>(io, std::move(config));
}

} // namespace switchboard::detail
