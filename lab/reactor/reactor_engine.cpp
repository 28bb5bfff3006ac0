// The reactor model (docs/patterns.md): one thread, hand-rolled, epoll-style, around the
// single-task model's Relay. The io_context is only the poller: a socket has at most one
// readiness wait per direction, armed only after a non-blocking call said would_block, and
// its handler does nothing but mark the socket ready and put it on the ready list (the
// host's pending list, which the relay's wake-ups feed too). One posted loop turn drains the
// list: for each socket it settles what the relay asked, reads (up to reads_per_turn reads)
// and writes (up to max_write_bytes) with non-blocking calls, and arms a wait where the
// kernel said would_block. A socket that used its budget goes to the back of the list for the
// next turn, so none starves the others.
//
// Output queued to a destination puts it on the list too (Redis's "clients pending write"):
// the write is tried in the next turn, and a write wait is armed only if the kernel is full.
// Nothing is in flight while a turn or a request runs, so stop and abort act directly; closed
// peers are reaped at the end of whatever ran, when no turn is walking the list.
#include "lab/engines.hpp"
#include "lab/one_thread/host.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <exception>
#include <memory>

namespace switchboard::lab::reactor {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using one_thread::Connection;

class Reactor final : public one_thread::Host {
public:
    Reactor(asio::io_context& io, const Config& config, single_task::Tuning tuning)
        : Host(io, config, tuning)
        , timer_(io) {}

    void start(StoppedHandler on_stopped) override {
        open(std::move(on_stopped));
        end_turn(); // arms the listener and the timer
    }
    void stop() override {
        begin_stop(); // the relay's stop_reading requests schedule a turn
        end_turn();
    }
    void abort() override {
        begin_abort();
        end_turn();
    }
    std::string design() const override { return "reactor"; }

private:
    void pending_added() override { schedule_turn(); }

    void schedule_turn() {
        if (turn_scheduled_ || stopped())
            return;
        turn_scheduled_ = true;
        asio::post(io_, [self = self<Reactor>()] { self->turn(); });
    }

    /// One loop turn: advances every socket that was on the list when it began. Whatever is
    /// put on the list meanwhile (woken by the relay, or left with budget spent) waits for the
    /// next turn, which putting it there scheduled.
    void turn() {
        turn_scheduled_ = false;
        if (stopped())
            return;
        for (const auto& c : take_pending())
            service(*c);
        if (accept_ready_) {
            accept_ready_ = false;
            try {
                accept_some();
            } catch (const std::exception& e) { // not expected: bad_alloc, say
                log_.error("accept failed: ", e.what());
            }
        }
        end_turn();
    }

    void service(Connection& c) {
        try {
            settle(c); // a resumed sender routes what it holds before it reads more
            if (c.readable && (wants_read(c) || wants_linger_read(c)))
                c.readable =
                    (wants_read(c) ? read_input(c) : discard_input(c)) != Progress::would_block;
            if (c.writable && wants_write(c))
                c.writable = write_output(c) != Progress::would_block;
            settle(c); // flushed by that write (or half-closed by that read): its FIN now
        } catch (const std::exception& e) {
            fail(c, e);
        }
        if (c.state == single_task::PeerState::closed)
            return; // closing aborted its waits; the end of the turn reaps it
        arm(c);     // the directions the kernel refused
        if (has_work_now(c))
            mark_pending(c); // budget spent, or it changed: the rest next turn, after the others
    }

    /// Something it could do without waiting: the kernel has not said would_block yet.
    bool has_work_now(const Connection& c) const noexcept {
        return (c.readable && (wants_read(c) || wants_linger_read(c))) ||
               (c.writable && wants_write(c));
    }

    /// Arms a readiness wait for each direction it wants and the kernel refused, once.
    void arm(Connection& c) {
        // Meanwhile (either wait) the peer may be paused, resumed, told to stop reading, or
        // closed and reaped: the handler holds the connection, does no IO, and leaves every
        // decision to the turn that services it. Closing the socket aborts the wait.
        if ((wants_read(c) || wants_linger_read(c)) && !c.readable && !c.read_armed) {
            c.read_armed = true;
            c.socket.async_wait(asio::socket_base::wait_read,
                                [self = self<Reactor>(), p = c.shared_from_this()](error_code) {
                                    self->ready(*p, p->read_armed, p->readable);
                                });
        }
        if (wants_write(c) && !c.writable && !c.write_armed) {
            c.write_armed = true;
            c.socket.async_wait(asio::socket_base::wait_write,
                                [self = self<Reactor>(), p = c.shared_from_this()](error_code) {
                                    self->ready(*p, p->write_armed, p->writable);
                                });
        }
    }

    /// A readiness wait of `c` ended: ready (or an error, which the next call reports), or
    /// aborted by its close. Marks it and lists it; nothing else.
    void ready(Connection& c, bool& armed, bool& flag) {
        armed = false;
        if (c.state == single_task::PeerState::closed)
            return; // reaped, or about to be
        flag = true;
        mark_pending(c);
    }

    /// After every turn, timer and request: reap, then re-arm the listener and the timer.
    void end_turn() {
        reap();
        if (stopped()) {
            timer_.cancel(); // own no pending work once stopped
            return;
        }
        const auto now = Clock::now();
        if (may_accept(now) && !accept_armed_) {
            accept_armed_ = true;
            // Meanwhile a stop or an abort may close the listener, aborting the wait.
            acceptor_.async_wait(asio::socket_base::wait_read,
                                 [self = self<Reactor>()](error_code ec) {
                                     self->accept_armed_ = false;
                                     if (ec == asio::error::operation_aborted || !self->accepting())
                                         return; // the listener was closed meanwhile
                                     self->accept_ready_ = true;
                                     self->schedule_turn();
                                 });
        }
        arm_timer(next_deadline());
    }

    void arm_timer(Clock::time_point at) {
        if (timer_armed_ && at >= timer_at_)
            return; // the armed wait comes first; its end_turn() looks again
        timer_armed_ = true;
        timer_at_ = at;
        timer_.expires_at(at); // aborts a wait for a later time
        // Meanwhile peers come and go, and an earlier deadline may re-arm it (aborting this).
        timer_.async_wait([self = self<Reactor>()](error_code ec) {
            if (ec == asio::error::operation_aborted)
                return; // re-armed earlier, or stopped
            // The timer's work reads the relay as it is now.
            self->timer_armed_ = false;
            self->on_timer(Clock::now());
            self->end_turn();
        });
    }

    asio::steady_timer timer_;
    Clock::time_point timer_at_ = Clock::time_point::max();
    bool timer_armed_ = false;
    bool accept_armed_ = false;
    bool accept_ready_ = false;
    bool turn_scheduled_ = false;
};

} // namespace

} // namespace switchboard::lab::reactor

namespace switchboard::lab {

std::shared_ptr<single_task::Engine>
make_reactor_engine(boost::asio::io_context& io, const Config& config, const Options& options) {
    return std::make_shared<reactor::Reactor>(io, config, options.tuning);
}

} // namespace switchboard::lab
