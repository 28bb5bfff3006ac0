// How a frame crosses threads in the mutex service: the reader (on the sender's strand)
// looks the destination up under the directory's lock, then queues under the destination's
// lock, one lock at a time; a full destination pauses the sender until its writer (on its
// own strand, any thread) drains it to low water and posts the sender a wake-up.
#include "core/log_lines.hpp"
#include "lab/mutex/service.hpp"

#include <switchboard/protocol.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>

namespace switchboard::lab::mutex {

namespace asio = boost::asio;

namespace {

/// Adds `id` to the senders paused on a queue, once. Locked.
void add_paused(std::vector<PeerId>& waiting, PeerId id) {
    if (std::find(waiting.begin(), waiting.end(), id) == waiting.end())
        waiting.push_back(id);
}

} // namespace

Service::Input Service::route_input(Peer& sender, Clock::time_point now) {
    assert(sender.paused_on == 0 && "a paused sender routes nothing until it is resumed");
    for (;;) {
        if (sender.state == PeerState::closed)
            return Input::closed;
        const auto result = sender.input.next();
        if (result.status == core::FrameParser::Status::need_more)
            return Input::need_more;
        if (result.status == core::FrameParser::Status::frame_too_large) {
            close(sender, core::CloseReason::frame_too_large,
                  core::no_terminator_within(config_.max_frame));
            return Input::closed;
        }
        const core::Frame& frame = result.frame;
        PeerId full = 0;
        Queued queued;
        if (const PeerPtr destination = peers_.find(frame.destination)) {
            queued = enqueue(*destination, sender, frame.payload, true, now);
            if (queued.full)
                full = destination->id;
            // Its writer waits on its own strand: post it a wake-up (even for a frame to
            // oneself, where a post is as good as a call, and rare).
            if (queued.wake)
                wake_writer(destination);
            // Not accepted: between the lookup and the lock it left (its FIN, a close, its
            // writer finishing), so its ID is as good as free.
        }
        if (!queued.accepted) {
            counters_.frames_unknown_destination.add();
            if (config_.error_notices) {
                const std::string notice = protocol::encode_error_notice(
                    "unknown destination " + std::to_string(frame.destination));
                counters_.error_notices_sent.add();
                // Its own notices are held back like any frame: a sender that never reads
                // them pauses. It is open (its reader runs), so its queue takes them.
                queued = enqueue(sender, sender, std::as_bytes(std::span(notice)), false, now);
                if (queued.full)
                    full = sender.id;
                if (queued.wake)
                    sender.writer_wakeup.notify(); // its own strand: no post needed
            }
        }
        if (full != 0) {
            sender.paused_on = full;
            counters_.senders_paused.add();
            core::log_paused(log_, sender.id, full, config_.high_water);
            return Input::paused;
        }
    }
}

Service::Queued Service::enqueue(Peer& destination, Peer& sender,
                                 std::span<const std::byte> payload, bool routed,
                                 Clock::time_point now) {
    Queued queued;
    std::lock_guard lock(destination.mutex);
    if (!destination.registered())
        return queued; // refused
    queued.accepted = true;
    if (routed) {
        // Counted before it is queued: once queued, another thread may deliver it at once,
        // and whoever sees it delivered must see it counted.
        counters_.frames_routed.add();
        counters_.bytes_routed.add(payload.size());
    }
    if (destination.outbox.empty())
        destination.last_progress = now; // the slow-consumer clock starts now
    if (routed)
        destination.outbox.enqueue(staging_chunks_, sender.input.chunk(), payload);
    else
        destination.outbox.append(staging_chunks_, payload);
    queued.wake = std::exchange(destination.writer_waiting, false);
    // While draining nothing pauses: nothing is read after what is routed now, so a pause
    // could never end. Decided here, once, under the lock.
    queued.full = destination.outbox.above_high_water() && !draining_;
    if (queued.full)
        add_paused(destination.paused_senders, sender.id);
    return queued;
}

bool Service::still_paused(Peer& sender) {
    if (sender.paused_on == 0)
        return false;
    PeerPtr destination;
    if (sender.state != PeerState::closed && !draining_)
        destination = peers_.find(sender.paused_on);
    // Resumed: drained to low water, or the destination left (its ID may have a new holder,
    // whose queue is what counts now), or the sender closed, or the server stopped reading.
    if (destination) {
        std::lock_guard lock(destination->mutex);
        if (destination->registered() && !destination->outbox.at_or_below_low_water()) {
            // A wake-up posted after this check runs on our strand only once the reader has
            // suspended, so it is not lost; a spurious one may have cleared the list.
            add_paused(destination->paused_senders, sender.id);
            return true;
        }
    }
    sender.paused_on = 0;
    return false;
}

void Service::wrote(Peer& peer, std::size_t n, Clock::time_point now) {
    if (n == 0)
        return;
    std::vector<PeerId> drained;
    {
        std::lock_guard lock(peer.mutex);
        peer.last_progress = now;
        peer.outbox.consume(n);
        if (!peer.paused_senders.empty() && peer.outbox.at_or_below_low_water())
            drained.swap(peer.paused_senders);
    }
    resume(drained);
}

void Service::resume(const std::vector<PeerId>& senders) {
    // No lock held: each lookup takes the directory's, and the wake-up is a post to the
    // sender's strand, where its reader checks still_paused() again.
    for (const PeerId id : senders)
        if (PeerPtr sender = peers_.find(id))
            asio::post(sender->strand, [sender] { sender->reader_wakeup.notify(); });
}

} // namespace switchboard::lab::mutex
