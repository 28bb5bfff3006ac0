// The relay state and rules shared by the two one-thread event-loop models, race and reactor
// (docs/patterns.md). Everything here is synchronous: it is called by the model's loop when a
// socket is ready, reads and writes non-blockingly, and never waits. How the loop learns that
// a socket is ready is the model's business, and the only difference between the two:
// - race: one coroutine races every pending wait/write in a ranged parallel group each turn;
// - reactor: per-socket readiness handlers feed a ready list that one loop drains.
//
// All of this is touched from the one thread that runs the io_context, so no member is
// guarded; only `counters` is read from other threads (Counter is single-writer atomic).
//
// Not the single-task server's internals: a peer here is a plain struct with a byte vector in
// and a byte vector out, owned by the state (shared_ptr) rather than by a coroutine frame.
#pragma once

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>
#include <switchboard/protocol.hpp>
#include <switchboard/stats.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::detail::one_thread {

using Clock = std::chrono::steady_clock;
using tcp = boost::asio::ip::tcp;

/// One connected client.
struct Peer : std::enable_shared_from_this<Peer> {
    Peer(tcp::socket s, std::size_t max_frame)
        : socket(std::move(s))
        , parser(max_frame) {}

    tcp::socket socket;
    tcp::endpoint remote;
    PeerId id = 0;
    bool registered = false; ///< holds `id` in the directory: frames can be routed to it
    std::size_t index = 0;   ///< position in Relay::peers

    // Input: unconsumed bytes are in[in_begin, in_end), starting at the next frame.
    FrameParser parser;
    std::unique_ptr<std::byte[]> in;
    std::size_t in_capacity = 0, in_begin = 0, in_end = 0;
    /// A destination whose queue is above high water: this peer is not read until it drains
    /// to low water or leaves. 0 when not paused.
    PeerId paused_on = 0;

    // Output: unsent bytes are out[out_begin, end). frame_ends holds the stream offsets at
    // which queued frames end (for the frames_dropped_on_close count).
    std::vector<std::byte> out;
    std::size_t out_begin = 0;
    std::uint64_t out_queued_total = 0, out_sent_total = 0;
    std::deque<std::uint64_t> frame_ends;
    /// When the socket last accepted a byte, or the queue last became non-empty.
    Clock::time_point last_progress;
    /// IDs of senders paused on this peer's queue. By ID: a stale one is skipped.
    std::vector<PeerId> paused_senders;

    bool input_done = false;   ///< no more reading (EOF, or the server stops): flush, close
    bool eof_received = false; ///< the client's FIN arrived
    bool lingering = false;    ///< our FIN is sent; discarding input until the client's FIN
    bool closed = false;       ///< socket closed; waits for the end of the turn to be reaped

    /// Readiness bookkeeping of the reactor model (the race model keeps none: it asks the
    /// kernel again every turn).
    struct Readiness {
        bool readable = true, writable = true;        ///< last known; true until would_block
        bool read_armed = false, write_armed = false; ///< an async_wait is pending
        bool queued = false;                          ///< on the ready list
    } io;

    std::size_t queued_bytes() const noexcept { return out.size() - out_begin; }
    bool has_output() const noexcept { return out_begin < out.size(); }
};

class Relay {
public:
    enum class CloseReason { error, frame_too_large, slow_consumer, drain_timeout, aborted };
    enum class State { created, running, draining, stopped };
    /// How a bounded read or write ended.
    enum class Progress { would_block, budget_spent, finished };

    Relay(boost::asio::io_context& io, Config config, std::string_view model_name);
    virtual ~Relay() = default;
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    /// Binds (open_listener), switches the acceptor to non-blocking, logs "listening on".
    void open();

    // --- events, called by the model's loop
    /// Accepts up to `budget` pending connections without blocking. Returns false when the
    /// accept failed for lack of resources: the model should not wait on the listener until
    /// accept_resume_at().
    bool accept_some(std::size_t budget);
    /// Reads up to `budget` bytes from a readable peer and routes every complete frame.
    Progress read_input(Peer& peer, std::size_t budget);
    /// Reads and discards up to `budget` bytes of a lingering peer; closes it at its FIN.
    Progress discard_input(Peer& peer, std::size_t budget);
    /// Writes up to `budget` queued bytes to a writable peer.
    Progress write_output(Peer& peer, std::size_t budget);
    /// Bookkeeping after `n` queued bytes were written (by write_output or an async write).
    void wrote(Peer& peer, std::size_t n);
    void write_failed(Peer& peer, boost::system::error_code ec);
    /// The periodic work: slow consumers and the drain deadline.
    void on_timer(Clock::time_point now);

    /// Graceful stop (PROTOCOL.md, Shutdown). `on_stopped` runs once everything is closed.
    void stop(std::function<void()> on_stopped);
    void abort();
    /// End of every loop turn: route for senders resumed this turn, erase closed peers, and
    /// finish a stop whose last peer left.
    void end_turn();

    // --- what the loop waits for
    bool wants_read(const Peer& peer) const noexcept {
        return !peer.closed && !peer.input_done && peer.paused_on == 0;
    }
    bool wants_linger_read(const Peer& peer) const noexcept {
        return !peer.closed && peer.lingering;
    }
    bool accepting() const noexcept { return acceptor.is_open(); }
    Clock::time_point accept_resume_at() const noexcept { return accept_resume_at_; }
    /// The earliest time on_timer has work: next housekeeping tick, or the drain deadline.
    Clock::time_point next_deadline() const noexcept;
    State state() const noexcept { return state_; }

    boost::asio::io_context& io;
    const Config config;
    const Logger log;
    Counters counters;
    tcp::acceptor acceptor;
    /// Every live peer (registered or not); closed ones leave at end_turn.
    std::vector<std::shared_ptr<Peer>> peers;

    // Cached at open(): port() and local_address() are called from other threads.
    std::uint16_t port = 0;
    std::string address;

protected:
    /// A peer has new work: queued output, resumed input, or a changed state (reactor hook).
    virtual void touched(Peer&) {}

private:
    void admit(tcp::socket socket);
    PeerId allocate_id();
    void route_buffered(Peer& sender);
    void route(Peer& sender, const Frame& frame);
    void enqueue(Peer& destination, std::span<const std::byte> bytes);
    void pause(Peer& sender, Peer& destination);
    void wake_paused_senders(Peer& destination);
    void input_ended(Peer& peer, boost::system::error_code ec);
    void finish_if_flushed(Peer& peer);
    void close_peer(Peer& peer, CloseReason reason, std::string_view detail = {});
    void close_quietly(Peer& peer, std::string_view why);
    void unregister(Peer& peer);
    void drop_queue(Peer& peer);
    void make_room(Peer& peer);
    void begin_drain();
    void maybe_finish_stop();

    std::string_view model_name_;
    State state_ = State::created;
    std::unordered_map<PeerId, Peer*> directory_;
    std::mt19937 random_;
    std::vector<PeerId> resumed_;               ///< senders to route for at end_turn
    std::vector<std::shared_ptr<Peer>> closed_; ///< to erase at end_turn
    std::vector<std::function<void()>> stopped_handlers_;
    std::chrono::milliseconds housekeeping_period_;
    Clock::time_point next_housekeeping_;
    Clock::time_point drain_deadline_ = Clock::time_point::max();
    Clock::time_point accept_resume_at_ = Clock::time_point::min();
    bool drain_deadline_passed_ = false;
};

} // namespace switchboard::detail::one_thread
