// What the lab's two one-thread event-loop designs, race and reactor (docs/patterns.md), share:
// the single-task model's Relay and everything around it that does not depend on how IO
// events arrive. Every decision (routing, pausing and resuming, write accounting, closing
// with its counter and log line, slow consumers, drain, abort) is the Relay's, and every
// data structure is the core's, exactly as in the single-task model; what is here are the
// synchronous steps an event loop takes when it learns that a socket is ready (read what is
// readable and route it, write what is queued, finish, discard a lingering peer's input),
// the listener, the timer's work, reaping, and the engine's stop bookkeeping.
//
// What a model adds is only its loop: when it calls these steps, and how it learns that a
// socket is ready. The race (lab/race) launches every operation it could wait for each turn;
// the reactor (lab/reactor) keeps one readiness wait per direction and a ready list.
//
// The relay's requests (PeerIo) never run anything inline: a woken peer goes on the pending
// list, and the loop settles it (settle()) when it next can. A closed peer is closed at once
// (its pending waits end with an error) but forgotten only in reap(), which the loops call
// where no operation of theirs can still refer to it.
//
// One thread owns all of it: the io_context's. Only stats(), port() and local_address() are
// called from others.
#pragma once

#include "core/outbox.hpp"
#include "core/policy.hpp"
#include "lab/one_thread/connection.hpp"
#include "single_task/engine.hpp"
#include "single_task/net.hpp"
#include "single_task/relay.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace switchboard::lab::one_thread {

namespace net = single_task::net; // the TCP side, shared with the product

/// Connections accepted per listener wake-up: enough that a burst of connects does not take
/// a turn each (a race turn costs O(connections)), few enough that established peers are not
/// kept waiting behind the listener.
inline constexpr std::size_t accepts_per_turn = 64;

class Host : public single_task::Engine,
             public single_task::PeerIo,
             public std::enable_shared_from_this<Host> {
public:
    using Clock = single_task::Relay::Clock;
    using tcp = boost::asio::ip::tcp;

    Host(const Host&) = delete;
    Host& operator=(const Host&) = delete;

    // The Engine calls every one-thread design answers alike.
    std::uint16_t port() const noexcept final { return bound_.port; }
    std::string local_address() const final { return bound_.address; }
    Stats stats() const noexcept final { return relay_.counters().snapshot(); }

protected:
    Host(boost::asio::io_context& io, const Config& config, single_task::Tuning tuning);
    ~Host() override;

    template <typename Model>
    std::shared_ptr<Model> self() {
        return std::static_pointer_cast<Model>(shared_from_this());
    }

    /// How a bounded step on one direction of one socket ended.
    enum class Progress {
        would_block,  ///< the kernel said so: wait for readiness before trying again
        budget_spent, ///< there may be more: the rest in a later turn, after the others
        done,         ///< nothing left to do that way for now (paused, ended, closed, empty)
    };

    // --- the engine's life: Engine::start, stop and abort do these, then drive their loop
    /// Binds and listens (throws std::system_error), non-blocking; keeps `on_stopped`.
    void open(StoppedHandler on_stopped);
    /// Closes the listener, tells the relay to drain, and sets the drain deadline.
    void begin_stop();
    /// Closes the listener and every peer.
    void begin_abort();
    bool stopped() const noexcept { return stopped_; }
    /// Forgets the peers closed since the last call; then, if stopping and none is left,
    /// reports the stop (once). Call it only where no operation can refer to a closed peer.
    void reap();

    // --- the listener
    bool accepting() const noexcept { return acceptor_.is_open(); }
    /// Listening, and not backing off after an accept that failed for lack of resources.
    bool may_accept(Clock::time_point now) const noexcept {
        return accepting() && now >= accept_resume_at_;
    }
    /// Accepts what is pending without blocking, up to accepts_per_turn.
    void accept_some();

    // --- time
    /// When on_timer() next has work: housekeeping, the drain deadline, or the end of an
    /// accept back-off (the listener is to be waited on again then).
    Clock::time_point next_deadline() const noexcept;
    /// The slow-consumer sweep and the drain deadline, when due.
    void on_timer(Clock::time_point now);

    // --- the peers the relay woke
    bool has_pending() const noexcept { return !pending_.empty(); }
    /// The woken peers, in the order they were woken; the list starts again empty.
    std::vector<std::shared_ptr<Connection>> take_pending();
    /// Puts a live peer on the list, once: the relay's wake-ups do, and so does a loop for a
    /// peer it has not finished with.
    void mark_pending(Connection& c);
    /// A peer was put on an empty list (the reactor schedules a turn).
    virtual void pending_added() {}

    // --- the steps on one peer, all synchronous
    /// Open, not paused, the server not draining: its input is wanted.
    bool wants_read(const Connection& c) const noexcept;
    /// Flushed and FIN sent: its input is read and discarded until the client's FIN.
    static bool wants_linger_read(const Connection& c) noexcept {
        return c.state == single_task::PeerState::lingering;
    }
    /// The relay has queued bytes for it.
    bool wants_write(const Connection& c) const noexcept {
        return relay_.next_output(c) == single_task::Relay::Output::write;
    }
    /// What a wake-up asks, without IO: a resumed sender routes what it holds (it may pause
    /// again); a reader told to stop routes what it holds and finishes; a flushed writer
    /// sends its FIN and closes or lingers.
    void settle(Connection& c);
    /// Reads what is readable into its InputBuffer and routes it, up to reads_per_turn reads.
    Progress read_input(Connection& c);
    /// Reads and discards a lingering peer's input; its FIN (or an error) ends the linger.
    Progress discard_input(Connection& c);
    /// Writes what is queued without blocking, up to max_write_bytes.
    Progress write_output(Connection& c);
    /// The front of its queue as buffers for one write (at most out.size() of them, and
    /// max_write_bytes): they stay valid until its queue is consumed or cleared.
    std::size_t gather(Connection& c, std::span<boost::asio::const_buffer> out);
    /// An asynchronous write of gathered buffers completed: `n` bytes were sent, whatever
    /// `error` says (operation_aborted: cancelled, and not a failure).
    void wrote(Connection& c, std::size_t n, const boost::system::error_code& error);
    /// An exception escaped a step on `c` (not expected: bad_alloc, say): logged, then closed.
    void fail(Connection& c, const std::exception& error);

    boost::asio::io_context& io_;
    const Config config_;
    const Logger log_;
    single_task::Relay relay_;
    tcp::acceptor acceptor_;

private:
    // PeerIo: the relay's requests, never acted on inline.
    void wake_writer(single_task::Peer& peer) override;
    void wake_reader(single_task::Peer& peer) override;
    void stop_reading(single_task::Peer& peer) override;
    void close_transport(single_task::Peer& peer) override;

    void admit(tcp::socket socket);
    void settle_input(Connection& c);
    void finish_if_flushed(Connection& c);
    /// The engine gives up `c`: the relay forgets it, and it gives its chunks back to the
    /// relay's pools at once (a pending wait may keep the object alive a little longer).
    void release(Connection& c);

    /// Declared after relay_, so destroyed first: every chunk goes back before the pools go.
    std::vector<std::shared_ptr<Connection>> connections_; ///< every one the relay knows
    std::vector<Connection*> closed_;                      ///< closed, not reaped yet
    std::vector<std::shared_ptr<Connection>> pending_;     ///< woken, not settled yet
    /// The iovecs of a synchronous write (write_output): one write at a time uses them.
    net::GatherBuffers gathered_;
    /// Scratch for gather(): the views behind the buffers of one asynchronous write.
    std::array<core::ByteView, core::max_write_entries> views_;
    /// Where a lingering peer's input goes: such peers are few and short-lived (a stop's
    /// drain), so one buffer serves them all.
    std::array<std::byte, 4096> sink_;

    StoppedHandler on_stopped_;
    net::Bound bound_;
    Clock::time_point next_sweep_ = Clock::time_point::max();
    Clock::time_point drain_deadline_ = Clock::time_point::max(); ///< max: none pending
    Clock::time_point accept_resume_at_ = Clock::time_point::min();
    bool stopping_ = false; ///< stop or abort was called
    bool stopped_ = false;  ///< on_stopped_ has run
};

} // namespace switchboard::lab::one_thread
