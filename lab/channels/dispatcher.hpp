// The dispatcher of the channels design: the one owner of the directory and of every per-peer
// count and decision (queued bytes and frames, paused senders, the slow-consumer clock, each
// peer's state). It is driven by the messages of its inbox (messages.hpp), one at a time, on
// one strand: nothing here is touched by anyone else, so nothing needs a lock, and nothing
// here waits. What it cannot do itself (start a connection's coroutines, close the listener,
// arm the drain timer, report the end) it asks of the engine around it, DispatcherHost.
//
// The decisions are the product's (single_task/relay.cpp), message by message: the same
// PeerState life, the same directory and IDs, pause a sender when a frame it routed fills the
// destination above high water and resume it at low water or when the destination leaves,
// never pause while draining, close through core::record_close. What differs is where a queue
// is: a peer's bytes are in its writer's Outbox, on another thread, so the dispatcher counts
// what it has mailed and the writer reports what it wrote; and a paused sender is a reader
// whose answer is withheld.
#pragma once

#include "core/chunk.hpp"
#include "core/close_reason.hpp"
#include "core/counters.hpp"
#include "core/directory.hpp"
#include "lab/channels/messages.hpp"
#include "single_task/peer.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::lab::channels {

using Clock = std::chrono::steady_clock;
using single_task::PeerState;

/// What the dispatcher asks of the engine around it.
class DispatcherHost {
public:
    /// `entry` has its ID: start its reader and writer.
    virtual void start_connection(Entry& entry) = 0;
    /// The server stops: close the listener (the accept loop then sends AcceptDone).
    virtual void close_listener() = 0;
    /// A graceful stop began: send DrainDeadline when Config::drain_timeout has passed.
    virtual void arm_drain_deadline() = 0;
    /// Everything has ended: no connection, no accept loop. Called once; the last message.
    virtual void stopped() = 0;

protected:
    ~DispatcherHost() = default;
};

/// One connection as the dispatcher sees it.
struct Entry {
    explicit Entry(std::shared_ptr<Connection> c)
        : connection(std::move(c)) {}

    std::shared_ptr<Connection> connection;
    PeerId id = 0;
    PeerState state = PeerState::open; ///< the product's life, with its meaning
    std::size_t index = 0;             ///< position in the dispatcher's list of entries

    // --- its queue: mailed to its writer (or about to be) and not reported written yet
    std::size_t queued_bytes = 0;
    std::size_t queued_frames = 0;
    /// When its writer last reported progress, or its queue last became non-empty.
    Clock::time_point last_progress;
    Mail mail;                 ///< what goes to its writer at the end of the current message
    bool mail_pending = false; ///< `mail` is listed to be sent
    /// IDs of senders paused because this queue is above high water.
    std::vector<PeerId> paused_senders;

    // --- its reader, as a sender
    enum class Reader {
        reading,  ///< no batch held: it is reading
        waiting,  ///< holds its batch; it waits for the answer
        ending,   ///< holds its last batch (its input ended)
        finished, ///< the last batch is handled: nothing more comes from it
    };
    Reader reader = Reader::reading;
    std::vector<RoutedFrame> held; ///< the batch being routed
    std::size_t next_held = 0;     ///< its first frame not routed yet
    PeerId paused_on = 0;          ///< the destination whose full queue it waits for
    Ending ending = Ending::none;  ///< of the last batch
    std::string detail;
    bool partial = false;

    // --- its writer
    enum class Writer {
        running,  ///< fed frames
        ended,    ///< told to end (mail with Then::end or abort): fed nothing more
        finished, ///< its last message has arrived
    };
    Writer writer = Writer::running;

    bool reaping = false; ///< both have finished: it is erased at the end of the message

    /// In the directory: frames can be routed to it (as Peer::registered()).
    bool registered() const noexcept {
        return state == PeerState::open || state == PeerState::stopping;
    }
    core::PeerName name() const noexcept;
};

class Dispatcher {
public:
    /// Everything given must outlive the dispatcher. `staging` holds the error notices.
    Dispatcher(const Config& config, const Logger& log, core::SharedCounters& counters,
               core::ChunkPool& staging, DispatcherHost& host);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    /// Handles one message of the inbox and all it sets off, then mails the writers it fed.
    void handle(Event& event, Clock::time_point now);
    /// The server has stopped: handle() has nothing more to do.
    bool done() const noexcept { return done_; }

private:
    // dispatcher.cpp: the messages
    void on(NewPeer& message);
    void on(AcceptDone& message);
    void on(Batch& message);
    void on(Written& message);
    void on(Lingering& message);
    void on(WriterDone& message);
    void on(Tick& message);
    void on(DrainDeadline& message);
    void on(StopRequest& message);
    void refuse(Connection& connection, bool count);
    void begin_stop();
    void send_mail();
    void reap();
    void maybe_finish();

    // routing.cpp: the decisions
    void advance(Entry& sender);
    void route(Entry& sender, RoutedFrame& frame);
    void enqueue(Entry& destination, RoutedFrame frame);
    void notify_unknown(Entry& sender, PeerId destination);
    void pause(Entry& sender, Entry& destination);
    void wake_paused_senders(Entry& destination);
    void input_ended(Entry& peer);
    void close(Entry& peer, core::CloseReason reason, std::string_view detail = {});
    void set_state(Entry& peer, PeerState state);
    void end_writer(Entry& peer, Mail::Then how);
    void end_all_writers();
    void mail_later(Entry& peer);
    void maybe_reap(Entry& peer);

    const Config& config_;
    const Logger& log_;
    core::SharedCounters& counters_;
    core::ChunkPool& staging_;
    DispatcherHost& host_;

    core::Directory<Entry> directory_;
    std::vector<std::unique_ptr<Entry>> entries_; ///< every live connection, registered or not
    std::vector<Entry*> runnable_; ///< senders to advance before this message is done
    std::vector<Entry*> mailed_;   ///< entries whose mail goes out at the end of this message
    std::vector<Entry*> reap_;     ///< erased at the end of this message: no one holds them then
    Clock::time_point now_;        ///< of the message being handled
    /// Frames and bytes routed in this message, added to the counters once at its end: one
    /// atomic add per batch rather than two per frame (the counters are shared with stats()).
    std::uint64_t routed_frames_ = 0;
    std::uint64_t routed_bytes_ = 0;
    std::size_t reading_ = 0; ///< readers not finished: frames may still be routed
    bool stopping_ = false;   ///< stop() or abort(): nothing pauses, nothing is admitted
    bool accepting_ = true;   ///< the accept loop has not ended
    bool done_ = false;
};

} // namespace switchboard::lab::channels
