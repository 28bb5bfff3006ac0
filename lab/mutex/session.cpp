// One connection of the mutex service: the session that owns it, the reader that reads and
// routes, the writer that drains its queue, all three on the connection's strand, so the
// socket and the wake-ups are touched by one thread at a time. What other threads may do at
// each co_await is said there; the locking rules are in service.hpp and peer.hpp.
#include "core/log_lines.hpp"
#include "core/policy.hpp"
#include "lab/mutex/service.hpp"
#include "single_task/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <exception>
#include <span>

namespace switchboard::lab::mutex {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {

using net::would_block;

/// A writer that keeps finding bytes yields its strand (and its thread) after this many
/// writes in a row. In the product a writer can never find more than was queued when it
/// woke, since nobody queues while it runs; here other threads may queue as fast as it
/// writes, and its own reader waits on the same strand meanwhile.
constexpr std::size_t writes_per_turn = core::reads_per_turn;

} // namespace

asio::awaitable<void> Service::session(Self self, PeerPtr peer) {
    // Admitted by the accept loop already: addressable, its ID queued, counted.
    // Reader and writer end on their own terms (after an EOF the writer still flushes), so
    // wait for both. Each one that fails closes the connection, which wakes the other.
    // Suspension: the peer lives in this frame meanwhile, whatever other threads do with it.
    auto [order, reader_error, writer_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(peer->strand, reader(self, *peer), asio::deferred),
            asio::co_spawn(peer->strand, writer(self, *peer), asio::deferred))
            .async_wait(asio::experimental::wait_for_all(), use_awaitable);
    for (const auto& error : {reader_error, writer_error}) // not expected: both catch
        if (error)
            log_.error("connection ", peer->remote, " id ", peer->id, ": ", core::describe(error));
    forget(*peer);
}

void Service::forget(Peer& peer) {
    if (peer.state != PeerState::closed) // its coroutines ended without tearing it down
        close(peer, core::CloseReason::error, "session ended");
    peers_.remove(peer); // first: a client that sees it gone may connect into the free slot
    counters_.connections_closed.add();
    core::log_disconnected(log_, peer.name());
    asio::post(control_, [self = shared_from_this()] { self->maybe_finish(); });
}

void Service::fail(Peer& peer, const std::exception& error) {
    log_.error("connection ", peer.remote, " id ", peer.id, ": ", error.what());
    close(peer, core::CloseReason::error, error.what());
}

asio::awaitable<void> Service::reader([[maybe_unused]] Self self, Peer& peer) {
    std::size_t reads_this_turn = 0;
    try {
        while (peer.state == PeerState::open && !draining_) {
            boost::system::error_code ec;
            net::read_into(peer.socket, peer.input, read_chunks_, ec);
            if (would_block(ec)) {
                peer.input.release_if_idle(); // an idle connection holds no read buffer
                reads_this_turn = 0;
                // Suspension: other threads queue to this peer meanwhile (its writer's
                // business); a close or a stop is posted to this strand and ends this wait
                // (the socket closed, or read_cancel), and the loop condition sees it. The
                // input buffer is this reader's alone.
                co_await peer.socket.async_wait(
                    tcp::socket::wait_read,
                    asio::bind_cancellation_slot(peer.read_cancel.slot(),
                                                 asio::as_tuple(use_awaitable)));
                continue;
            }
            if (ec) {
                input_ended(peer, ec == asio::error::eof ? "" : ec.message());
                break;
            }
            while (route_input(peer, Clock::now()) == Input::paused) {
                // Suspension: on other threads the destination drains, leaves or gets a new
                // holder of its ID; a close or a stop may be posted here. still_paused()
                // looks the destination up again by ID; no pointer to it is held here.
                while (still_paused(peer))
                    co_await peer.reader_wakeup.wait();
            }
            if (++reads_this_turn >= core::reads_per_turn) {
                reads_this_turn = 0;
                // Suspension: lets the strand's other work and this thread's other
                // connections run; the loop condition re-checks the peer and the server.
                co_await asio::post(peer.strand, use_awaitable);
            }
        }
    } catch (const std::exception& e) {
        fail(peer, e); // closing wakes the writer, so the session ends
    }
    reader_finished(peer);
}

Service::Step Service::write_once(Peer& peer, boost::system::error_code& error) {
    // On the thread's stack, not in the coroutine frame: nothing here suspends, so an idle
    // peer holds no iovecs (the product shares one set among all its writers for the same
    // reason; here every thread has its own).
    net::GatherBuffers gathered;
    std::span<const asio::const_buffer> buffers;
    Transition finishing;
    {
        std::lock_guard lock(peer.mutex);
        switch (peer.state) {
        case PeerState::lingering:
        case PeerState::closed:
            return Step::done;
        case PeerState::open:
        case PeerState::half_closed:
        case PeerState::stopping:
            break;
        }
        if (!peer.outbox.empty()) {
            buffers = gathered.gather(peer.outbox);
        } else if (peer.state == PeerState::open ||
                   (peer.state == PeerState::stopping && reading_ != 0)) {
            // A stopping peer finishes only once no reader can route to it: a frame already
            // read is not left behind because its destination closed a moment earlier.
            peer.writer_waiting = true; // whoever queues next wakes it
            return Step::idle;
        } else {
            // Flushed and done. Sealed under the lock that queueing takes: a router that
            // found this peer a moment ago is refused now, rather than queueing a frame that
            // nobody would write (it counts an unknown destination instead). A half-closed
            // client has finished too: close; a stopping one may still be sending: linger.
            finishing = peer.set_state(peer.state == PeerState::half_closed ? PeerState::closed
                                                                            : PeerState::lingering);
        }
    }
    if (buffers.empty()) {
        const bool linger = !finishing.closed;
        boost::system::error_code ignored;
        peer.socket.shutdown(tcp::socket::shutdown_send, ignored); // FIN last
        settle(peer, std::move(finishing));                        // closes it, if closed
        return linger ? Step::lingering : Step::finished;
    }
    // Between the two locks other threads may append to the queue, behind what was
    // gathered; nobody else consumes it, and a close runs on this strand, not during this.
    const std::size_t written = peer.socket.write_some(buffers, error);
    if (would_block(error))
        return Step::blocked;
    if (error)
        return Step::failed;
    wrote(peer, written, Clock::now());
    return Step::wrote;
}

asio::awaitable<void> Service::writer([[maybe_unused]] Self self, Peer& peer) {
    std::size_t writes_this_turn = 0;
    try {
        for (;;) {
            boost::system::error_code ec;
            switch (write_once(peer, ec)) {
            case Step::wrote:
                if (++writes_this_turn >= writes_per_turn) {
                    writes_this_turn = 0;
                    // Suspension: others may queue more meanwhile (gathered next turn), or
                    // a close may run here; the next turn looks at the state again.
                    co_await asio::post(peer.strand, use_awaitable);
                }
                continue;
            case Step::idle:
                writes_this_turn = 0;
                // Suspension: whoever queues for it (any thread) posts a wake-up here, as do
                // a close, a change of state and the last reader stopping while draining.
                co_await peer.writer_wakeup.wait();
                continue;
            case Step::blocked:
                writes_this_turn = 0;
                // Suspension: the queue may grow meanwhile, which is fine (it is gathered
                // again); a close posted here closes the socket, which aborts this wait,
                // and write_once() then says done.
                co_await peer.socket.async_wait(tcp::socket::wait_write,
                                                asio::as_tuple(use_awaitable));
                continue;
            case Step::failed:
                close(peer, core::CloseReason::error, ec.message());
                co_return;
            case Step::lingering:
                // Suspension: see linger(); nothing is queued to a lingering peer any more.
                co_await linger(peer);
                co_return;
            case Step::finished:
            case Step::done:
                co_return;
            }
        }
    } catch (const std::exception& e) {
        fail(peer, e); // closing wakes the reader, so the session ends
    }
}

asio::awaitable<void> Service::linger(Peer& peer) {
    // The drain deadline or an abort is posted here and closes the socket, which ends it.
    if (co_await net::discard_until_fin(peer.socket,
                                        [&] { return peer.state == PeerState::lingering; }))
        linger_ended(peer);
}

} // namespace switchboard::lab::mutex
