// The relay's decisions, as plain functions with no IO and no co_await: admit a peer, route
// its frames, pause a sender behind a full queue and resume it, account for writes, close a
// peer (and count and log why), find slow consumers, drain on stop. The coroutines around it
// (session.cpp) only move bytes and wait; every choice they act on is made here, so it is
// unit-tested by feeding events and checking what the relay decided (tests/single_task).
//
// One thread owns a Relay: every call comes from it, and nothing here waits, so state is
// consistent whenever a caller suspends. What the relay cannot do itself (wake a coroutine,
// close a socket) it asks of PeerIo, synchronously. The one-thread designs of the lab (race,
// reactor) drive the same Relay from a different IO loop.
#pragma once

#include "core/chunk.hpp"
#include "core/counters.hpp"
#include "core/directory.hpp"
#include "core/policy.hpp"
#include "single_task/peer.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace switchboard::single_task {

/// What the relay asks of the IO around it. Each call is a request to act on the peer's
/// coroutines or socket; the relay's own state has already changed when it is made.
class PeerIo {
public:
    /// Its queue grew or its state changed: its writer should look again.
    virtual void wake_writer(Peer& peer) = 0;
    /// It is no longer paused, or it was closed: its reader should look again.
    virtual void wake_reader(Peer& peer) = 0;
    /// The server stops reading: its reader should stop waiting for input and finish.
    virtual void stop_reading(Peer& peer) = 0;
    /// It is closed: close its transport now (pending waits end with an error).
    virtual void close_transport(Peer& peer) = 0;

protected:
    ~PeerIo() = default;
};

/// Knobs for measuring, not for operators: the lab sets them, the product keeps the defaults.
struct Tuning {
    std::size_t read_chunk_size = core::default_read_chunk_size;
};

class Relay {
public:
    using Clock = std::chrono::steady_clock;

    /// `config` must be valid; `log` and `io` must outlive the relay.
    Relay(const Config& config, Tuning tuning, const Logger& log, PeerIo& io);
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    // --- connections
    /// At max_connections: a new connection must be refused.
    bool full() const noexcept { return peers_.size() >= config_.max_connections; }
    /// Counts and logs a refused connection.
    void refuse(std::string_view remote);
    /// Gives `peer` a fresh ID, makes it addressable and queues the ID as the first thing it
    /// receives. The relay refers to `peer` until forget().
    void admit(Peer& peer, Clock::time_point now);
    /// Its owner is done with it (closing it first if it was not): it leaves the relay.
    void forget(Peer& peer);

    // --- input
    enum class Input {
        need_more, ///< every complete frame was routed: read again
        paused,    ///< a destination is full: wait until still_paused() says otherwise
        closed,    ///< the sender was closed (an oversized frame, say): stop reading
    };
    /// Routes the complete frames in `sender.input`, until one fills its destination's queue
    /// (while running) or none is left. While draining it never pauses: nothing is read after
    /// what it routes now, so a pause could never end.
    Input route_input(Peer& sender, Clock::time_point now);
    /// After a wake-up of a paused sender: true while it must keep waiting.
    bool still_paused(Peer& sender);
    /// A read found the end of the input: EOF (`error` empty) or an error.
    void input_ended(Peer& peer, std::string_view error);
    /// Its reader has stopped reading; with the server draining, the peer flushes and closes.
    void reader_finished(Peer& peer);

    // --- output
    enum class Output {
        write,  ///< the queue has bytes
        wait,   ///< nothing to send yet
        finish, ///< flushed and done: send FIN, then flushed()
        done,   ///< lingering or closed: the writer has nothing left to do
    };
    Output next_output(const Peer& peer) const noexcept;
    /// `n` queued bytes were written at `now`.
    void wrote(Peer& peer, std::size_t n, Clock::time_point now);
    enum class Finish { close, linger };
    /// After Output::finish and the FIN: close now, or linger until the client's FIN.
    Finish flushed(Peer& peer);
    /// The client's FIN (or an error) reached a lingering peer.
    void linger_ended(Peer& peer);
    /// A read or write failed.
    void failed(Peer& peer, std::string_view error);
    /// Closes by force: unregisters, drops the queue, counts and logs why, closes the transport.
    void close(Peer& peer, core::CloseReason reason, std::string_view detail = {});

    // --- time and stopping
    /// Closes the peers that have had queued bytes and no write progress for the timeout.
    void sweep(Clock::time_point now);
    /// Stop reading: every reader routes what it holds and finishes; then writers flush.
    void begin_drain();
    /// The drain deadline: whatever is still open is closed, and what is queued dropped.
    void drain_deadline_passed();
    /// Closes everything at once.
    void abort();

    bool draining() const noexcept { return draining_; }
    std::size_t size() const noexcept { return peers_.size(); }
    std::span<Peer* const> peers() const noexcept { return peers_; }
    Peer* find(PeerId id) const noexcept { return directory_.find(id); }
    const core::Counters& counters() const noexcept { return counters_; }
    core::Counters& counters() noexcept { return counters_; }
    core::ChunkPool& read_chunks() noexcept { return read_chunks_; }
    const Config& config() const noexcept { return config_; }
    const Logger& log() const noexcept { return log_; }

private:
    void set_state(Peer& peer, PeerState state);
    PeerId route(Peer& sender, const core::Frame& frame, Clock::time_point now);
    void enqueue_copy(Peer& destination, std::span<const std::byte> bytes, Clock::time_point now);
    void pause(Peer& sender, Peer& destination);
    void wake_paused_senders(Peer& destination);
    void wake_all_writers();

    const Config& config_;
    const Logger& log_;
    PeerIo& io_;
    core::Counters counters_;
    core::ChunkPool read_chunks_;
    /// Where small payloads are copied to be sent together (Outbox::append).
    core::ChunkPool staging_chunks_;
    core::Directory<Peer> directory_;
    std::vector<Peer*> peers_; ///< every live peer, registered or not
    std::size_t reading_ = 0;  ///< peers in state open: their readers may still route
    bool draining_ = false;
};

} // namespace switchboard::single_task
