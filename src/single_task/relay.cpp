#include "single_task/relay.hpp"

#include "core/log_lines.hpp"

#include <algorithm>
#include <cassert>
#include <string>

namespace switchboard::single_task {

using core::CloseReason;

std::string_view to_string(PeerState state) noexcept {
    switch (state) {
    case PeerState::open:
        return "open";
    case PeerState::half_closed:
        return "half_closed";
    case PeerState::stopping:
        return "stopping";
    case PeerState::lingering:
        return "lingering";
    case PeerState::closed:
        return "closed";
    }
    return "?";
}

Relay::Relay(const Config& config, Tuning tuning, const Logger& log, PeerIo& io)
    : config_(config)
    , log_(log)
    , io_(io)
    , read_chunks_(tuning.read_chunk_size)
    , staging_chunks_(core::staging_chunk_size) {}

// --- connections

void Relay::refuse(std::string_view remote) {
    counters_.connections_refused.add();
    core::log_refused(log_, remote, config_.max_connections);
}

void Relay::admit(Peer& peer, Clock::time_point now) {
    peer.index = peers_.size();
    peers_.push_back(&peer);
    peer.state = PeerState::open;
    ++reading_;
    // Addressable from the moment its ID is queued, before the client has read it.
    peer.id = directory_.add(&peer);
    protocol::store_u32(peer.id_bytes, peer.id);
    peer.last_progress = now;
    peer.outbox.push(core::ChunkRef{}, peer.id_bytes); // the first thing a peer receives
    counters_.connections_accepted.add();
    core::log_connected(log_, peer.name());
    io_.wake_writer(peer);
}

void Relay::forget(Peer& peer) {
    if (peer.state != PeerState::closed) // its coroutines ended without tearing it down
        close(peer, CloseReason::error, "session ended");
    // Swap-remove from the list of live peers: O(1), and `index` stays exact.
    Peer* last = peers_.back();
    peers_[peer.index] = last;
    last->index = peer.index;
    peers_.pop_back();
    counters_.connections_closed.add();
    core::log_disconnected(log_, peer.name());
}

void Relay::set_state(Peer& peer, PeerState state) {
    if (peer.state == state)
        return;
    const bool was_registered = peer.registered();
    const bool was_reading = peer.state == PeerState::open;
    peer.state = state;
    if (was_registered && !peer.registered()) {
        directory_.remove(peer.id);
        wake_paused_senders(peer); // "until the destination leaves"
    }
    if (was_reading && state != PeerState::open && --reading_ == 0 && draining_)
        wake_all_writers(); // nothing can be routed any more: stopping peers may finish
    if (state == PeerState::closed) {
        io_.close_transport(peer);
        io_.wake_writer(peer);
        io_.wake_reader(peer);
    }
}

// --- input

Relay::Input Relay::route_input(Peer& sender, Clock::time_point now) {
    assert(sender.paused_on == 0 && "a paused sender routes nothing until it is resumed");
    for (;;) {
        if (sender.state == PeerState::closed)
            return Input::closed;
        const auto result = sender.input.next();
        if (result.status == core::FrameParser::Status::need_more)
            return Input::need_more;
        if (result.status == core::FrameParser::Status::frame_too_large) {
            close(sender, CloseReason::frame_too_large,
                  core::no_terminator_within(config_.max_frame));
            return Input::closed;
        }
        const PeerId full = route(sender, result.frame, now);
        if (full != 0 && !draining_) {
            pause(sender, *directory_.find(full));
            return Input::paused;
        }
    }
}

PeerId Relay::route(Peer& sender, const core::Frame& frame, Clock::time_point now) {
    Peer* destination = directory_.find(frame.destination);
    if (destination == nullptr) {
        counters_.frames_unknown_destination.add();
        if (!config_.error_notices)
            return 0;
        const std::string notice = protocol::encode_error_notice("unknown destination " +
                                                                 std::to_string(frame.destination));
        enqueue_copy(sender, std::as_bytes(std::span(notice.data(), notice.size())), now);
        counters_.error_notices_sent.add();
        // Its own notices are held back like any frame: a sender that never reads them pauses.
        return sender.outbox.above_high_water() ? sender.id : 0;
    }
    if (destination->outbox.empty())
        destination->last_progress = now; // the slow-consumer clock starts now
    destination->outbox.enqueue(staging_chunks_, sender.input.chunk(), frame.payload);
    counters_.frames_routed.add();
    counters_.bytes_routed.add(frame.payload.size());
    io_.wake_writer(*destination);
    return destination->outbox.above_high_water() ? destination->id : 0;
}

void Relay::enqueue_copy(Peer& destination, std::span<const std::byte> bytes,
                         Clock::time_point now) {
    if (destination.outbox.empty())
        destination.last_progress = now;
    destination.outbox.append(staging_chunks_, bytes);
    io_.wake_writer(destination);
}

void Relay::pause(Peer& sender, Peer& destination) {
    sender.paused_on = destination.id;
    auto& waiting = destination.paused_senders;
    if (std::find(waiting.begin(), waiting.end(), sender.id) == waiting.end())
        waiting.push_back(sender.id);
    counters_.senders_paused.add();
    core::log_paused(log_, sender.id, destination.id, config_.high_water);
}

bool Relay::still_paused(Peer& sender) {
    if (sender.paused_on == 0)
        return false;
    Peer* destination = nullptr;
    if (sender.state != PeerState::closed && !draining_)
        destination = directory_.find(sender.paused_on);
    // Resumed: drained to low water, or the destination left (its ID may have a new holder,
    // whose queue is what counts now), or the sender closed, or the server stopped reading.
    if (destination == nullptr || destination->outbox.at_or_below_low_water()) {
        sender.paused_on = 0;
        return false;
    }
    auto& waiting = destination->paused_senders; // a spurious wake-up may have cleared it
    if (std::find(waiting.begin(), waiting.end(), sender.id) == waiting.end())
        waiting.push_back(sender.id);
    return true;
}

void Relay::wake_paused_senders(Peer& destination) {
    // Waking is a request (PeerIo never runs a coroutine inline), so the list is not changed
    // while it is walked.
    for (const PeerId id : destination.paused_senders) {
        Peer* sender = directory_.find(id);
        if (sender != nullptr && sender->paused_on == destination.id) {
            sender->paused_on = 0;
            io_.wake_reader(*sender);
        }
    }
    destination.paused_senders.clear();
}

void Relay::input_ended(Peer& peer, std::string_view error) {
    if (peer.state == PeerState::closed)
        return;
    if (peer.input.has_unconsumed())
        counters_.partial_frames_discarded.add();
    peer.input.discard();
    if (!error.empty()) {
        close(peer, CloseReason::error, error);
        return;
    }
    // EOF is leaving: the ID is freed at once; what is queued to it is still flushed.
    if (peer.state == PeerState::open)
        set_state(peer, PeerState::half_closed);
    io_.wake_writer(peer);
}

void Relay::reader_finished(Peer& peer) {
    if (peer.state != PeerState::open)
        return;
    if (!draining_) {
        close(peer, CloseReason::error, "reading ended");
        return;
    }
    // Keeps its ID while other readers may still route to it; flushes, then FIN.
    set_state(peer, PeerState::stopping);
    io_.wake_writer(peer);
}

// --- output

Relay::Output Relay::next_output(const Peer& peer) const noexcept {
    switch (peer.state) {
    case PeerState::open:
        return peer.outbox.empty() ? Output::wait : Output::write;
    case PeerState::half_closed:
        return peer.outbox.empty() ? Output::finish : Output::write;
    case PeerState::stopping:
        // Finish only once no reader can route to it: a frame already read is not left behind
        // because its destination closed a moment earlier.
        if (!peer.outbox.empty())
            return Output::write;
        return reading_ == 0 ? Output::finish : Output::wait;
    case PeerState::lingering:
    case PeerState::closed:
        return Output::done;
    }
    return Output::done;
}

void Relay::wrote(Peer& peer, std::size_t n, Clock::time_point now) {
    if (n == 0 || peer.state == PeerState::closed)
        return;
    peer.last_progress = now;
    peer.outbox.consume(n);
    if (!peer.paused_senders.empty() && peer.outbox.at_or_below_low_water())
        wake_paused_senders(peer);
}

Relay::Finish Relay::flushed(Peer& peer) {
    assert(peer.outbox.empty());
    if (peer.state == PeerState::half_closed) {
        set_state(peer, PeerState::closed); // the client had finished too: close cleanly
        return Finish::close;
    }
    // The server stopped reading a client that had not finished sending. Closing now would
    // answer its next bytes with a reset, and a reset makes the client's kernel discard what
    // it has received but not read yet. So linger until its FIN; the drain deadline bounds it.
    set_state(peer, PeerState::lingering);
    return Finish::linger;
}

void Relay::linger_ended(Peer& peer) {
    if (peer.state == PeerState::lingering)
        set_state(peer, PeerState::closed);
}

void Relay::failed(Peer& peer, std::string_view error) {
    close(peer, CloseReason::error, error);
}

void Relay::close(Peer& peer, CloseReason reason, std::string_view detail) {
    if (peer.state == PeerState::closed)
        return;
    const core::Dropped dropped{peer.outbox.frames(), peer.outbox.bytes()};
    // Dropped at once: writes never leave bytes in flight across a suspension (the writer
    // writes without blocking and waits only for writability), so no write reads the queue.
    peer.outbox.clear();
    peer.input.discard();
    set_state(peer, PeerState::closed);
    core::record_close(counters_, log_, reason, peer.name(), detail, dropped);
}

// --- time and stopping

void Relay::sweep(Clock::time_point now) {
    // O(live peers) once per housekeeping period, independent of traffic. close() only marks
    // and closes: peers leave the list in forget(), never during this loop.
    for (Peer* peer : peers_)
        if (peer->state != PeerState::closed && !peer->outbox.empty() &&
            now - peer->last_progress >= config_.slow_consumer_timeout)
            close(*peer, CloseReason::slow_consumer);
}

void Relay::begin_drain() {
    if (draining_)
        return;
    draining_ = true;
    for (Peer* peer : peers_)
        if (peer->state == PeerState::open)
            io_.stop_reading(*peer);
    if (reading_ == 0)
        wake_all_writers();
}

void Relay::drain_deadline_passed() {
    for (Peer* peer : peers_)
        if (peer->state != PeerState::closed)
            close(*peer, core::at_drain_deadline(peer->state == PeerState::lingering));
}

void Relay::abort() {
    draining_ = true; // nothing pauses any more
    for (Peer* peer : peers_)
        close(*peer, CloseReason::aborted);
}

void Relay::wake_all_writers() {
    for (Peer* peer : peers_)
        io_.wake_writer(*peer);
}

} // namespace switchboard::single_task
