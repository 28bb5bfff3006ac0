// One connection: the session coroutine that owns the peer, the reader that parses frames and
// routes them, and the writer that drains the outbox. The rules that make this safe without
// locks are stated at each co_await; docs/architecture.md explains them as a whole.
#include "server_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace switchboard {

namespace asio = boost::asio;
using asio::use_awaitable;
using detail::ChunkRef;
using Clock = std::chrono::steady_clock;

namespace {

/// A write moves at most this much (fairness: other peers' writes wait meanwhile).
constexpr std::size_t max_write_bytes = 4 * MiB;
/// A reader that keeps finding data yields to the others after this many chunks.
constexpr std::size_t reads_per_turn = 4;

std::string_view describe(Server::Impl::CloseReason reason) {
    using R = Server::Impl::CloseReason;
    switch (reason) {
    case R::error:
        return "connection error";
    case R::frame_too_large:
        return "frame too large";
    case R::slow_consumer:
        return "slow consumer";
    case R::drain_timeout:
        return "drain deadline passed";
    case R::aborted:
        return "server aborted";
    case R::linger_ended:
        return "flushed, client still sending";
    }
    return "?";
}

} // namespace

asio::awaitable<void> Server::Impl::session(std::shared_ptr<Impl> self, tcp::socket socket) {
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec); // relayed messages are small: don't hold them
    socket.non_blocking(true, ec);              // the reader reads until would_block
    Peer peer(std::move(socket), config.high_water, config.low_water);
    peer.remote = peer.socket.remote_endpoint(ec);

    // Register before the first suspension: the peer is addressable from the moment its ID is
    // queued, and the accept loop's connection count already includes it.
    peer.index = peers.size();
    peers.push_back(&peer);
    peer.id = directory.add(&peer);
    peer.registered = true;
    protocol::store_u32(peer.id_bytes, peer.id);
    peer.last_progress = Clock::now();
    peer.outbox.push(ChunkRef{}, peer.id_bytes); // the ID is the first thing a peer receives
    counters.connections_accepted.add();
    log.debug("connected ", peer.remote, " as id ", peer.id);

    // Reader and writer end on their own terms (EOF lets the writer flush first), so wait for
    // both. Either one that fails closes the peer, which wakes the other.
    auto [order, reader_error, writer_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(io, reader(self, peer), asio::deferred),
            asio::co_spawn(io, writer(self, peer), asio::deferred))
            .async_wait(asio::experimental::wait_for_all(), use_awaitable);
    for (const auto& error : {reader_error, writer_error}) {
        if (!error)
            continue;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            log.error("connection ", peer.remote, " id ", peer.id, ": ", e.what());
        }
    }
    if (!peer.closed) // both ended without tearing down (the writer always does; belt and braces)
        close_peer(peer, CloseReason::error, "session ended");
    drop_outbox(peer);
    forget(peer);
    log.debug("disconnected ", peer.remote, " id ", peer.id);
    maybe_finish_stop();
}

asio::awaitable<void> Server::Impl::reader([[maybe_unused]] std::shared_ptr<Impl> self,
                                           Peer& peer) {
    // Counts readers that may still route frames: on stop, writers close only once it is 0.
    // Explicit rather than a destructor, so a frame destroyed with its io_context (never
    // resumed) does not reach into other peers. The loop is inline, not a coroutine of its
    // own: every peer's reader waits in it while idle, and a nested coroutine is a frame more.
    ++active_readers;
    try {
        FrameParser parser(config.max_frame);
        // Unconsumed bytes are chunk[begin, end): the start of the next frame, possibly partial.
        // Bytes before `begin` belong to frames queued elsewhere and are never written again.
        ChunkRef chunk;
        std::size_t begin = 0;
        std::size_t end = 0;
        std::size_t reads_this_turn = 0;
        const std::size_t min_read_space = std::max<std::size_t>(256, chunks.chunk_size() / 16);

        while (!peer.closed && !reading_stopped) {
            // Make room to read: a fresh chunk, or the partial frame moved to a bigger/new one.
            if (!chunk) {
                chunk = chunks.acquire();
                begin = end = 0;
            } else if (chunk->capacity() - end < min_read_space) {
                const std::size_t partial = end - begin;
                const std::size_t wanted =
                    std::min(std::max(chunks.chunk_size(), 2 * partial),
                             std::max(config.max_frame, chunks.chunk_size()));
                if (chunk->use_count() == 1 && wanted <= chunk->capacity()) {
                    std::memmove(chunk->data(), chunk->data() + begin,
                                 partial); // nobody else reads it
                } else {
                    ChunkRef bigger = chunks.acquire(wanted);
                    std::memcpy(bigger->data(), chunk->data() + begin, partial); // the one copy
                    chunk = std::move(bigger);
                }
                begin = 0;
                end = partial;
            }

            boost::system::error_code ec;
            const std::size_t n = peer.socket.read_some(
                asio::buffer(chunk->data() + end, chunk->capacity() - end), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                if (begin == end && chunk->use_count() == 1)
                    chunk.reset(); // an idle connection holds no read buffer
                reads_this_turn = 0;
                // Suspension: the peer may be closed, or the server may stop reading, meanwhile;
                // both cancel this wait, and the loop condition sees them.
                co_await peer.socket.async_wait(
                    tcp::socket::wait_read,
                    asio::bind_cancellation_slot(peer.read_cancel.slot(),
                                                 asio::as_tuple(use_awaitable)));
                continue;
            }
            if (ec) {
                if (end > begin)
                    counters.partial_frames_discarded.add();
                if (ec == asio::error::eof) {
                    peer.eof_received = true;
                    finish_input(peer);
                } else if (!peer.closed)
                    close_peer(peer, CloseReason::error, ec.message());
                break;
            }
            end += n;

            // Route every complete frame in the buffer.
            for (;;) {
                const auto result =
                    parser.next(std::span<const std::byte>(chunk->data() + begin, end - begin));
                if (result.status == FrameParser::Status::need_more)
                    break;
                if (result.status == FrameParser::Status::frame_too_large) {
                    close_peer(peer, CloseReason::frame_too_large,
                               "no terminator within " + std::to_string(config.max_frame) +
                                   " bytes");
                    break;
                }
                begin += result.consumed;
                const PeerId full = route(peer, chunk, result.frame);
                if (full != 0 && !reading_stopped) {
                    // Suspension: `chunk`, `begin`, `end` are ours alone; the destination is looked
                    // up again by ID after every wake, never kept as a pointer.
                    co_await wait_for_drain(peer, full);
                    if (peer.closed)
                        break;
                }
            }
            if (peer.closed)
                break;
            if (begin == end && chunk->use_count() == 1)
                begin = end = 0; // everything was routed and written already: reuse from the start

            if (++reads_this_turn >= reads_per_turn) {
                reads_this_turn = 0;
                co_await asio::post(io, use_awaitable); // let other connections run
            }
        }
    } catch (...) {
        reader_finished(peer);
        throw;
    }
    reader_finished(peer);
}

void Server::Impl::reader_finished(Peer& peer) {
    if (reading_stopped && !peer.closed && !peer.input_done)
        finish_input(peer);
    if (--active_readers == 0 && reading_stopped)
        for (Peer* p : peers)
            p->writer_wakeup.notify(); // nothing can be routed any more: writers may close
}

asio::awaitable<void> Server::Impl::wait_for_drain(Peer& sender, PeerId destination) {
    counters.senders_paused.add();
    log.debug("pausing id ", sender.id, ": the queue of id ", destination, " is above ",
              config.high_water, " bytes");
    for (;;) {
        if (sender.closed || reading_stopped)
            co_return;
        Peer* dest = directory.find(destination);
        if (dest == nullptr || dest->outbox.at_or_below_low_water())
            co_return; // drained, or the destination left
        if (std::find(dest->paused_senders.begin(), dest->paused_senders.end(), sender.id) ==
            dest->paused_senders.end())
            dest->paused_senders.push_back(sender.id);
        // Suspension: `dest` may be gone when we wake; it is looked up again above.
        co_await sender.reader_wakeup.wait();
    }
}

PeerId Server::Impl::route(Peer& sender, const ChunkRef& chunk, const Frame& frame) {
    Peer* dest = directory.find(frame.destination);
    if (dest == nullptr) {
        counters.frames_unknown_destination.add();
        if (config.error_notices) {
            send_error_notice(sender, frame.destination);
            return sender.outbox.above_high_water() ? sender.id : 0;
        }
        return 0;
    }
    enqueue(*dest, chunk, frame.payload);
    counters.frames_routed.add();
    counters.bytes_routed.add(frame.payload.size());
    return dest->outbox.above_high_water() ? dest->id : 0;
}

void Server::Impl::enqueue(Peer& dest, const ChunkRef& chunk, std::span<const std::byte> payload) {
    if (dest.outbox.empty())
        dest.last_progress = Clock::now(); // the slow-consumer clock starts now
    if (payload.size() <= detail::copy_threshold)
        dest.outbox.append(staging_chunks, payload);
    else
        dest.outbox.push(chunk, payload);
    dest.writer_wakeup.notify();
}

void Server::Impl::send_error_notice(Peer& sender, PeerId destination) {
    const std::string notice =
        protocol::encode_error_notice("unknown destination " + std::to_string(destination));
    ChunkRef chunk = chunks.acquire(notice.size());
    std::memcpy(chunk->data(), notice.data(), notice.size());
    enqueue(sender, chunk, std::span<const std::byte>(chunk->data(), notice.size()));
    counters.error_notices_sent.add();
}

asio::awaitable<void> Server::Impl::writer([[maybe_unused]] std::shared_ptr<Impl> self,
                                           Peer& peer) {
    for (;;) {
        if (peer.closed)
            break;
        if (peer.outbox.empty()) {
            // Input finished and nothing left to send: close cleanly. On stop, wait until no
            // reader can route to us any more, so nothing read is left behind.
            if (peer.input_done && (!reading_stopped || active_readers == 0)) {
                co_await close_gracefully(peer);
                break;
            }
            // Suspension: anyone who queues for us, closes us, or stops the server notifies.
            co_await peer.writer_wakeup.wait();
            continue;
        }

        // Write without blocking (the socket is non-blocking), so the iovecs can be the
        // server's shared ones and no operation is allocated; wait only when the socket is full.
        const std::size_t count = peer.outbox.gather(gather_views, max_write_bytes);
        for (std::size_t i = 0; i < count; ++i)
            gather_buffers[i] = asio::const_buffer(gather_views[i].data, gather_views[i].size);
        boost::system::error_code ec;
        const std::size_t written = peer.socket.write_some(
            std::span<const asio::const_buffer>(gather_buffers.data(), count), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            // Suspension: the outbox may grow meanwhile, which is fine (we gather again); a
            // close aborts this wait, and the loop sees `closed`.
            co_await peer.socket.async_wait(tcp::socket::wait_write, asio::as_tuple(use_awaitable));
            continue;
        }
        if (ec) {
            if (!peer.closed)
                close_peer(peer, CloseReason::error, ec.message());
            break;
        }
        if (written > 0)
            peer.last_progress = Clock::now();
        peer.outbox.consume(written);
        if (!peer.paused_senders.empty() && peer.outbox.at_or_below_low_water())
            wake_paused_senders(peer);
    }
    drop_outbox(peer);
}

asio::awaitable<void> Server::Impl::close_gracefully(Peer& peer) {
    boost::system::error_code ec;
    peer.socket.shutdown(tcp::socket::shutdown_send, ec); // FIN after the last queued byte
    if (!peer.eof_received) {
        // The server stopped reading a client that had not finished sending. Closing now
        // would answer its next bytes with a reset, and a reset makes the client's kernel
        // discard what it has received but not yet read. So linger: discard its input until
        // its FIN. The drain deadline bounds this, as it bounds the whole stop.
        peer.lingering = true;
        std::array<std::byte, 4096> sink;
        while (!peer.closed) {
            peer.socket.read_some(asio::buffer(sink), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                // Suspension: a close (drain deadline, abort) aborts this wait.
                co_await peer.socket.async_wait(tcp::socket::wait_read,
                                                asio::as_tuple(use_awaitable));
                continue;
            }
            if (ec)
                break; // EOF (or an error): nothing more can arrive
        }
    }
    if (!peer.closed) {
        peer.closed = true;
        peer.socket.close(ec);
        peer.reader_wakeup.notify();
    }
}

void Server::Impl::unregister(Peer& peer) {
    if (!peer.registered)
        return;
    directory.remove(peer.id);
    peer.registered = false;
    wake_paused_senders(peer); // "until the destination leaves"
}

void Server::Impl::wake_paused_senders(Peer& peer) {
    for (const PeerId id : peer.paused_senders)
        if (Peer* sender = directory.find(id))
            sender->reader_wakeup.notify();
    peer.paused_senders.clear();
}

void Server::Impl::finish_input(Peer& peer) {
    // EOF is leaving: the ID is freed at once; what is queued is still flushed. While the
    // server stops, the ID stays until the session ends so in-flight frames still arrive.
    if (!reading_stopped)
        unregister(peer);
    peer.input_done = true;
    peer.writer_wakeup.notify();
}

void Server::Impl::close_peer(Peer& peer, CloseReason reason, std::string_view detail) {
    if (peer.closed)
        return;
    peer.closed = true;
    unregister(peer);
    switch (reason) {
    case CloseReason::error:
        counters.disconnects_error.add();
        log.debug("closing ", peer.remote, " id ", peer.id, ": ", detail);
        break;
    case CloseReason::linger_ended:
        log.debug("closing ", peer.remote, " id ", peer.id, ": flushed, client still sending");
        break;
    case CloseReason::frame_too_large:
        counters.disconnects_frame_too_large.add();
        log.warning("disconnecting ", peer.remote, " id ", peer.id, ": ", describe(reason), " (",
                    detail, ")");
        break;
    default:
        if (reason == CloseReason::slow_consumer)
            counters.disconnects_slow_consumer.add();
        log.warning("disconnecting ", peer.remote, " id ", peer.id, ": ", describe(reason),
                    ", dropping ", peer.outbox.frames(), " queued frame(s), ", peer.outbox.bytes(),
                    " bytes");
        break;
    }
    // Closing aborts the pending read wait and write; the queue itself is dropped by the
    // writer once its write has returned, because the kernel may still be reading from it.
    boost::system::error_code ignored;
    peer.socket.close(ignored);
    peer.writer_wakeup.notify();
    peer.reader_wakeup.notify();
}

void Server::Impl::drop_outbox(Peer& peer) {
    if (peer.outbox.empty())
        return;
    counters.bytes_dropped_on_close.add(peer.outbox.bytes());
    counters.frames_dropped_on_close.add(peer.outbox.clear());
    wake_paused_senders(peer);
}

void Server::Impl::forget(Peer& peer) {
    unregister(peer);
    // Swap-remove from the list of live peers: O(1), and `index` stays exact.
    Peer* last = peers.back();
    peers[peer.index] = last;
    last->index = peer.index;
    peers.pop_back();
    counters.connections_closed.add();
}

} // namespace switchboard
