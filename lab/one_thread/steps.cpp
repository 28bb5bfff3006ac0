// The synchronous steps a one-thread event loop takes on one peer when it learns something
// about it: what a wake-up asks (settle), reading and routing, discarding a lingering peer's
// input, writing. Each does what the single-task model's reader or writer coroutine does
// between two of its awaits (src/single_task/session.cpp), with the same relay calls in the
// same order; where the coroutine would wait, a step returns, and the loop waits instead.
#include "lab/one_thread/host.hpp"

namespace switchboard::lab::one_thread {

namespace asio = boost::asio;
using single_task::PeerState;
using single_task::Relay;

using net::would_block;

bool Host::wants_read(const Connection& c) const noexcept {
    // paused_on is the relay's own mark: set when routing paused this sender, cleared when
    // the relay resumed it (and then woke it, so settle() routes what it holds first).
    return c.state == PeerState::open && c.paused_on == 0 && !relay_.draining();
}

void Host::settle(Connection& c) {
    if (c.state == PeerState::closed)
        return;
    settle_input(c);
    finish_if_flushed(c);
}

void Host::settle_input(Connection& c) {
    if (c.state != PeerState::open || relay_.still_paused(c))
        return;
    // Resumed (or told to stop while paused): what it read before the pause is routed now,
    // whether or not more bytes ever arrive. It may pause again.
    if (c.input.has_unconsumed() && relay_.route_input(c, Clock::now()) != Relay::Input::need_more)
        return;
    // The single-task reader's loop ends when the server drains; so does this reader.
    if (relay_.draining())
        relay_.reader_finished(c);
}

void Host::finish_if_flushed(Connection& c) {
    if (relay_.next_output(c) != Relay::Output::finish)
        return;
    boost::system::error_code ignored;
    c.socket.shutdown(tcp::socket::shutdown_send, ignored); // FIN after the last queued byte
    // Closes it, or leaves it lingering: then its loop reads and discards until the FIN.
    relay_.flushed(c);
}

Host::Progress Host::read_input(Connection& c) {
    for (std::size_t reads = 0; wants_read(c); ++reads) {
        if (reads == core::reads_per_turn)
            return Progress::budget_spent; // the others' turn
        boost::system::error_code ec;
        net::read_into(c.socket, c.input, relay_.read_chunks(), ec);
        if (would_block(ec)) {
            c.input.release_if_idle(); // an idle connection holds no read buffer
            return Progress::would_block;
        }
        if (ec) {
            relay_.input_ended(c, ec == asio::error::eof ? "" : ec.message());
            return Progress::done;
        }
        // Paused: the relay resumes it and wakes it (settle() then routes the rest). Closed
        // (an oversized frame, say): nothing more to read.
        if (relay_.route_input(c, Clock::now()) != Relay::Input::need_more)
            return Progress::done;
    }
    return Progress::done;
}

Host::Progress Host::discard_input(Connection& c) {
    for (std::size_t reads = 0; wants_linger_read(c); ++reads) {
        if (reads == core::reads_per_turn)
            return Progress::budget_spent;
        boost::system::error_code ec;
        c.socket.read_some(asio::buffer(sink_), ec);
        if (would_block(ec))
            return Progress::would_block;
        if (ec) { // the client's FIN (or an error): nothing more can arrive
            relay_.linger_ended(c);
            return Progress::done;
        }
    }
    return Progress::done;
}

std::size_t Host::gather(Connection& c, std::span<asio::const_buffer> out) {
    return net::gather_buffers(c.outbox, views_, out, core::max_write_bytes);
}

Host::Progress Host::write_output(Connection& c) {
    std::size_t total = 0;
    while (wants_write(c)) {
        if (total >= core::max_write_bytes)
            return Progress::budget_spent; // other peers' writes wait meanwhile: not longer
        boost::system::error_code ec;
        const std::size_t n = c.socket.write_some(gathered_.gather(c.outbox), ec);
        if (would_block(ec))
            return Progress::would_block;
        if (ec) {
            relay_.failed(c, ec.message());
            return Progress::done;
        }
        total += n;
        relay_.wrote(c, n, Clock::now());
    }
    return Progress::done;
}

void Host::wrote(Connection& c, std::size_t n, const boost::system::error_code& error) {
    // Accounted first, even when a cancellation came second: the kernel took these bytes.
    relay_.wrote(c, n, Clock::now());
    if (error && error != asio::error::operation_aborted)
        relay_.failed(c, error.message());
    mark_pending(c); // flushed now, maybe: settle() sends the FIN
}

void Host::fail(Connection& c, const std::exception& error) {
    log_.error("connection ", c.remote, " id ", c.id, ": ", error.what());
    relay_.failed(c, error.what());
}

} // namespace switchboard::lab::one_thread
