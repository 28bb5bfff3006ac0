// The dispatcher's messages: what each one changes, and the end of every message (senders
// woken meanwhile route on, the writers fed get their mail, finished connections are erased,
// the stop completes). The routing decisions themselves are in routing.cpp.
#include "lab/channels/dispatcher.hpp"

#include "core/log_lines.hpp"
#include "lab/channels/connection.hpp"

#include <cassert>
#include <utility>
#include <variant>

namespace switchboard::lab::channels {

core::PeerName Entry::name() const noexcept {
    return {connection->remote, id};
}

Dispatcher::Dispatcher(const Config& config, const Logger& log, core::SharedCounters& counters,
                       core::ChunkPool& staging, DispatcherHost& host)
    : config_(config)
    , log_(log)
    , counters_(counters)
    , staging_(staging)
    , host_(host) {}

Dispatcher::~Dispatcher() = default;

void Dispatcher::handle(Event& event, Clock::time_point now) {
    if (done_)
        return; // a late timer or a repeated stop: the server has stopped, nothing is left
    now_ = now;
    std::visit([this](auto& message) { on(message); }, event);
    // Senders woken meanwhile route on; each may wake or close others, who join the list.
    for (std::size_t i = 0; i < runnable_.size(); ++i)
        advance(*runnable_[i]);
    runnable_.clear();
    send_mail();
    reap();
    maybe_finish();
}

void Dispatcher::on(NewPeer& message) {
    Connection& connection = *message.connection;
    if (stopping_) { // accepted just before the listener closed: never given an ID
        refuse(connection, false);
        return;
    }
    if (entries_.size() >= config_.max_connections) {
        refuse(connection, true);
        return;
    }
    auto owned = std::make_unique<Entry>(std::move(message.connection));
    Entry& peer = *owned;
    peer.index = entries_.size();
    entries_.push_back(std::move(owned));
    // Addressable from now on: frames routed to it are mailed after its ID, which its writer
    // queues first.
    peer.id = directory_.add(&peer);
    connection.entry = &peer;
    protocol::store_u32(connection.id_bytes, peer.id);
    peer.queued_bytes = protocol::id_size;
    peer.queued_frames = 1;
    peer.last_progress = now_;
    ++reading_;
    // Counted before its coroutines start: whoever sees the effect must see it counted.
    counters_.connections_accepted.add();
    core::log_connected(log_, peer.name());
    host_.start_connection(peer);
}

void Dispatcher::refuse(Connection& connection, bool count) {
    if (count) {
        counters_.connections_refused.add();
        core::log_refused(log_, connection.remote, config_.max_connections);
    }
    // No coroutine uses the socket yet, so it may be closed here rather than on its strand.
    connection.close_socket();
}

void Dispatcher::on(AcceptDone&) {
    accepting_ = false;
}

void Dispatcher::on(Batch& batch) {
    Entry& sender = *batch.from;
    assert(sender.reader == Entry::Reader::reading || batch.ending != Ending::none);
    if (sender.held.empty()) {
        std::swap(sender.held, batch.frames);
        sender.next_held = 0;
    } else { // an exception ended the reader while its batch was held: keep the order
        for (RoutedFrame& frame : batch.frames)
            sender.held.push_back(std::move(frame));
    }
    if (batch.ending == Ending::none) {
        sender.reader = Entry::Reader::waiting;
    } else {
        sender.reader = Entry::Reader::ending;
        sender.ending = batch.ending;
        sender.detail = std::move(batch.detail);
        sender.partial = batch.partial;
    }
    advance(sender);
}

void Dispatcher::on(Written& written) {
    Entry& peer = *written.to;
    if (peer.state == PeerState::closed)
        return; // what it still had was counted as dropped when it was closed
    peer.queued_bytes -= written.bytes;
    peer.queued_frames -= written.frames;
    if (written.bytes != 0)
        peer.last_progress = now_;
    if (!peer.paused_senders.empty() && peer.queued_bytes <= config_.low_water)
        wake_paused_senders(peer);
}

void Dispatcher::on(Lingering& lingering) {
    if (lingering.peer->state != PeerState::closed)
        set_state(*lingering.peer, PeerState::lingering);
}

void Dispatcher::on(WriterDone& done) {
    Entry& peer = *done.peer;
    peer.writer = Entry::Writer::finished;
    if (!done.error.empty())
        close(peer, core::CloseReason::error, done.error);
    else if (peer.state != PeerState::closed)
        set_state(peer, PeerState::closed); // flushed and closed cleanly
    maybe_reap(peer);
}

void Dispatcher::on(Tick&) {
    // O(live peers) once per housekeeping period. close() only marks: no entry is erased
    // before the end of the message.
    for (const auto& owned : entries_) {
        Entry& peer = *owned;
        if (peer.state != PeerState::closed && peer.queued_bytes != 0 &&
            now_ - peer.last_progress >= config_.slow_consumer_timeout)
            close(peer, core::CloseReason::slow_consumer);
    }
}

void Dispatcher::on(DrainDeadline&) {
    for (const auto& owned : entries_)
        if (owned->state != PeerState::closed)
            close(*owned, core::at_drain_deadline(owned->state == PeerState::lingering));
}

void Dispatcher::on(StopRequest& request) {
    if (!stopping_) {
        begin_stop();
        if (!request.abort)
            host_.arm_drain_deadline();
    }
    if (request.abort)
        for (const auto& owned : entries_)
            close(*owned, core::CloseReason::aborted);
}

void Dispatcher::begin_stop() {
    stopping_ = true; // from now on nothing pauses and nobody is admitted
    host_.close_listener();
    for (const auto& owned : entries_) {
        Entry& peer = *owned;
        if (peer.reader != Entry::Reader::finished && peer.state != PeerState::closed)
            peer.connection->stop_reading_soon();
        if (peer.paused_on != 0) { // it routes what it holds, then it is told to stop
            peer.paused_on = 0;
            runnable_.push_back(&peer);
        }
    }
    if (reading_ == 0)
        end_all_writers();
}

void Dispatcher::send_mail() {
    // Counted before any of it leaves: whoever sees a frame delivered must see it counted.
    if (routed_frames_ != 0) {
        counters_.frames_routed.add(std::exchange(routed_frames_, 0));
        counters_.bytes_routed.add(std::exchange(routed_bytes_, 0));
    }
    for (Entry* peer : mailed_) {
        peer->mail_pending = false;
        Mail mail = std::exchange(peer->mail, {});
        if (peer->writer != Entry::Writer::finished)
            peer->connection->send_mail(std::move(mail));
    }
    mailed_.clear();
}

void Dispatcher::reap() {
    for (Entry* peer : reap_) {
        assert(!peer->registered());
        const std::size_t i = peer->index;
        std::unique_ptr<Entry> owned = std::move(entries_[i]);
        if (i + 1 != entries_.size()) { // swap-remove: O(1), and `index` stays exact
            entries_[i] = std::move(entries_.back());
            entries_[i]->index = i;
        }
        entries_.pop_back();
        // Counted first: a client that sees the count drop may connect into the free slot.
        counters_.connections_closed.add();
        core::log_disconnected(log_, owned->name());
    }
    reap_.clear();
}

void Dispatcher::maybe_finish() {
    if (!stopping_ || accepting_ || !entries_.empty() || done_)
        return;
    done_ = true;
    host_.stopped();
}

} // namespace switchboard::lab::channels
