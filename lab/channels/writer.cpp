// A connection's writer: queues what the dispatcher mails it in its Outbox (the product's
// queue: small payloads copied together into staging chunks, larger ones kept as views of the
// read chunk), writes without blocking, waits for writability only when the socket is full,
// and reports every write's progress. Its end: after the end marker, flushed, FIN and linger;
// at once on the abort marker or a forced close; or a write error, returned to its completion
// handler, which sends it.
#include "core/policy.hpp"
#include "lab/channels/service.hpp"
#include "single_task/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <span>

namespace switchboard::lab::channels {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {

using net::would_block;

/// The iovecs of a write, per pool thread: a write is gathered and tried without a suspension
/// in between, so one writer on each thread uses them at a time, and an idle peer holds none.
thread_local net::GatherBuffers gathered;

} // namespace

asio::awaitable<std::string> Service::writer([[maybe_unused]] Self self,
                                             std::shared_ptr<Connection> connection) {
    Connection& c = *connection;
    c.outbox.push(core::ChunkRef{}, c.id_bytes); // the first thing a peer receives
    Mail::Then then = Mail::Then::more;
    const auto take = [&](Mail& mail) {
        for (RoutedFrame& frame : mail.frames)
            c.outbox.enqueue(staging_chunks_, frame.chunk, frame.payload);
        if (mail.then != Mail::Then::more)
            then = mail.then; // an abort may follow an end, never the reverse
    };
    for (;;) {
        // Everything mailed so far, without waiting: gathered into as few writes as it takes.
        while (then != Mail::Then::abort &&
               c.mailbox.try_receive([&](boost::system::error_code, Mail mail) { take(mail); })) {
        }
        if (c.closed || then == Mail::Then::abort)
            break;
        if (c.outbox.empty()) {
            if (then == Mail::Then::end) {
                // Suspension: until the client's FIN or a forced close; after the end marker
                // nothing but an abort is mailed, and the socket's close ends the wait.
                co_await finish(c);
                break;
            }
            // Suspension: the dispatcher feeds, ends or aborts this writer through the mailbox
            // (a forced close always comes with an abort).
            auto [ec, mail] = co_await c.mailbox.async_receive(asio::as_tuple(use_awaitable));
            if (ec)
                break;
            take(mail);
            continue;
        }
        boost::system::error_code ec;
        const std::size_t written = c.socket.write_some(gathered.gather(c.outbox), ec);
        if (would_block(ec)) {
            // Suspension: mail may arrive meanwhile (taken at the next turn); a forced close
            // aborts this wait, and the loop then sees `closed`.
            co_await c.socket.async_wait(asio::ip::tcp::socket::wait_write,
                                         asio::as_tuple(use_awaitable));
            continue;
        }
        if (ec) {
            c.outbox.clear();
            if (c.closed)
                break; // closed by force: the dispatcher knows why
            c.close_socket();
            co_return ec.message();
        }
        const std::size_t frames = c.outbox.consume(written);
        send(Written{c.entry, written, frames});
    }
    c.outbox.clear();
    co_return std::string();
}

asio::awaitable<void> Service::finish(Connection& c) {
    boost::system::error_code ignored;
    c.socket.shutdown(asio::ip::tcp::socket::shutdown_send, ignored); // FIN, after everything
    if (!c.eof_received) {
        // The client had not finished sending: linger until its FIN (net::discard_until_fin says
        // why). The drain deadline or an abort closes the socket, posted to this strand.
        send(Lingering{c.entry});
        co_await net::discard_until_fin(c.socket, [&] { return !c.closed; });
    }
    if (!c.closed)
        c.close_socket();
}

} // namespace switchboard::lab::channels
