// The dispatcher's decisions, as the product makes them (single_task/relay.cpp): route a
// sender's frames until one fills its destination, withhold the sender's answer until that
// destination drains to low water or leaves, act on how a reader's input ended, close a peer
// and count why, end the writers once nothing can be routed any more.
#include "core/log_lines.hpp"
#include "lab/channels/connection.hpp"
#include "lab/channels/dispatcher.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <utility>

namespace switchboard::lab::channels {

using core::CloseReason;

void Dispatcher::advance(Entry& sender) {
    if (sender.reader != Entry::Reader::waiting && sender.reader != Entry::Reader::ending)
        return; // nothing held (a sender woken twice, say)
    if (sender.state == PeerState::closed) {
        sender.held.clear(); // its reader stops; what it had read is dropped with it
    } else {
        while (sender.paused_on == 0 && sender.next_held < sender.held.size())
            route(sender, sender.held[sender.next_held++]);
        if (sender.paused_on != 0)
            return; // the answer is withheld: that is the backpressure
    }
    sender.held.clear();
    sender.next_held = 0;
    if (sender.reader == Entry::Reader::waiting) {
        sender.reader = Entry::Reader::reading;
        sender.connection->answer(!stopping_ && sender.state != PeerState::closed,
                                  std::exchange(sender.held, {}));
    } else {
        sender.reader = Entry::Reader::finished;
        input_ended(sender);
    }
}

void Dispatcher::route(Entry& sender, RoutedFrame& frame) {
    Entry* full = nullptr;
    if (Entry* destination = directory_.find(frame.destination)) {
        ++routed_frames_; // counted once per message (send_mail), before the frame leaves
        routed_bytes_ += frame.payload.size();
        enqueue(*destination, std::move(frame));
        if (destination->queued_bytes > config_.high_water)
            full = destination;
    } else {
        counters_.frames_unknown_destination.add();
        frame.chunk.reset(); // nobody will read it: let the reader reuse its chunk sooner
        if (config_.error_notices) {
            notify_unknown(sender, frame.destination);
            // Its own notices are held back like any frame: a sender that never reads them
            // pauses.
            if (sender.queued_bytes > config_.high_water)
                full = &sender;
        }
    }
    if (full != nullptr && !stopping_) // while draining nothing pauses: a pause could not end
        pause(sender, *full);
}

void Dispatcher::enqueue(Entry& destination, RoutedFrame frame) {
    assert(destination.registered() && destination.writer == Entry::Writer::running);
    if (destination.queued_bytes == 0)
        destination.last_progress = now_; // the slow-consumer clock starts now
    destination.queued_bytes += frame.payload.size();
    ++destination.queued_frames;
    destination.mail.frames.push_back(std::move(frame));
    mail_later(destination);
}

void Dispatcher::notify_unknown(Entry& sender, PeerId destination) {
    const std::string notice =
        protocol::encode_error_notice("unknown destination " + std::to_string(destination));
    // Into a chunk, so that it travels like any frame (its writer copies it into its queue).
    core::ChunkRef chunk = staging_.acquire(notice.size());
    std::memcpy(chunk->data(), notice.data(), notice.size());
    const std::span<const std::byte> payload(chunk->data(), notice.size());
    enqueue(sender, RoutedFrame{sender.id, std::move(chunk), payload});
    counters_.error_notices_sent.add();
}

void Dispatcher::pause(Entry& sender, Entry& destination) {
    sender.paused_on = destination.id;
    auto& waiting = destination.paused_senders;
    if (std::find(waiting.begin(), waiting.end(), sender.id) == waiting.end())
        waiting.push_back(sender.id);
    counters_.senders_paused.add();
    core::log_paused(log_, sender.id, destination.id, config_.high_water);
}

void Dispatcher::wake_paused_senders(Entry& destination) {
    // By ID: a paused sender is always registered (it pauses only while open, and a close
    // unpauses it); a stale ID only costs a lookup that finds nobody waiting on us.
    for (const PeerId id : std::exchange(destination.paused_senders, {})) {
        Entry* sender = directory_.find(id);
        if (sender != nullptr && sender->paused_on == destination.id) {
            sender->paused_on = 0;
            runnable_.push_back(sender); // routes on before the end of this message
        }
    }
}

void Dispatcher::input_ended(Entry& peer) {
    --reading_;
    if (peer.state != PeerState::closed) {
        if (peer.partial)
            counters_.partial_frames_discarded.add();
        switch (peer.ending) {
        case Ending::eof:
            // EOF is leaving: the ID is freed at once, what is queued is still flushed. While
            // the server stops it keeps its ID like the others, so that frames read before the
            // stop still reach it, and it ends with them.
            if (stopping_) {
                set_state(peer, PeerState::stopping);
            } else {
                set_state(peer, PeerState::half_closed);
                end_writer(peer, Mail::Then::end);
            }
            break;
        case Ending::error:
            close(peer, CloseReason::error, peer.detail);
            break;
        case Ending::frame_too_large:
            close(peer, CloseReason::frame_too_large,
                  core::no_terminator_within(config_.max_frame));
            break;
        case Ending::none:
        case Ending::stopped:
            if (stopping_)
                set_state(peer, PeerState::stopping); // flushes once no reader can route to it
            else
                close(peer, CloseReason::error, "reading ended");
            break;
        }
    }
    if (stopping_ && reading_ == 0)
        end_all_writers(); // nothing can be routed any more: every writer may flush and end
    maybe_reap(peer);
}

void Dispatcher::close(Entry& peer, CloseReason reason, std::string_view detail) {
    if (peer.state == PeerState::closed)
        return;
    // What its writer has not reported written is dropped: the abort reaches the writer
    // after the counts, and a write finishing meanwhile is not reported any more.
    const core::Dropped dropped{peer.queued_frames, peer.queued_bytes};
    peer.queued_bytes = 0;
    peer.queued_frames = 0;
    set_state(peer, PeerState::closed);
    core::record_close(counters_, log_, reason, peer.name(), detail, dropped);
}

void Dispatcher::set_state(Entry& peer, PeerState state) {
    if (peer.state == state)
        return;
    const bool was_registered = peer.registered();
    peer.state = state;
    if (was_registered && !peer.registered()) {
        directory_.remove(peer.id);
        wake_paused_senders(peer); // "until the destination leaves"
    }
    if (state == PeerState::closed) {
        peer.paused_on = 0;
        end_writer(peer, Mail::Then::abort);
        peer.connection->close_soon();
        runnable_.push_back(&peer); // drops what its reader holds and tells it to stop
    }
}

void Dispatcher::end_writer(Entry& peer, Mail::Then how) {
    if (peer.writer == Entry::Writer::finished)
        return;
    if (how == Mail::Then::end && peer.writer == Entry::Writer::ended)
        return; // told already (to end, or to abort, which wins)
    if (how == Mail::Then::abort)
        peer.mail.frames.clear(); // dropped: counted by the close
    peer.mail.then = how;
    peer.writer = Entry::Writer::ended;
    mail_later(peer);
}

void Dispatcher::end_all_writers() {
    for (const auto& owned : entries_)
        if (owned->state == PeerState::stopping)
            end_writer(*owned, Mail::Then::end);
}

void Dispatcher::mail_later(Entry& peer) {
    if (!peer.mail_pending) {
        peer.mail_pending = true;
        mailed_.push_back(&peer);
    }
}

void Dispatcher::maybe_reap(Entry& peer) {
    if (peer.reader == Entry::Reader::finished && peer.writer == Entry::Writer::finished &&
        !peer.reaping) {
        peer.reaping = true;
        reap_.push_back(&peer);
    }
}

} // namespace switchboard::lab::channels
