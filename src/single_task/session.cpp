// One connection of the single-task service: the session coroutine that owns it, the reader
// that reads and hands frames to the relay, and the writer that drains its queue. Every
// decision is the relay's (relay.hpp); what may change at each co_await, and why that is
// safe, is said there. docs/architecture.md explains the rules as a whole.
#include "core/log_lines.hpp"
#include "single_task/net.hpp"
#include "single_task/service.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <span>

namespace switchboard::single_task {

namespace asio = boost::asio;
using asio::use_awaitable;
using Clock = Relay::Clock;

asio::awaitable<void> Service::session(Self self, tcp::socket socket) {
    net::prepare_accepted(socket);
    std::string remote = net::remote_address(socket);
    Connection connection(std::move(socket), std::move(remote), config_);
    // Admitted before the first suspension: addressable from the moment its ID is queued, and
    // counted against max_connections at the next accept.
    relay_.admit(connection, Clock::now());

    // Reader and writer end on their own terms (after an EOF the writer still flushes), so
    // wait for both. Each one that fails closes the connection, which wakes the other.
    auto [order, reader_error, writer_error] =
        co_await asio::experimental::make_parallel_group(
            asio::co_spawn(io_, reader(self, connection), asio::deferred),
            asio::co_spawn(io_, writer(self, connection), asio::deferred))
            .async_wait(asio::experimental::wait_for_all(), use_awaitable);
    for (const auto& error : {reader_error, writer_error}) // not expected: both catch
        if (error)
            log_.error("connection ", connection.remote, " id ", connection.id, ": ",
                       core::describe(error));
    relay_.forget(connection);
    maybe_finish();
}

asio::awaitable<void> Service::reader([[maybe_unused]] Self self, Connection& connection) {
    // The loop is inline rather than a coroutine of its own: every idle peer's reader waits in
    // it, and a nested coroutine would be one more frame per idle connection.
    std::size_t reads_this_turn = 0;
    try {
        while (connection.state == PeerState::open && !relay_.draining()) {
            boost::system::error_code ec;
            net::read_into(connection.socket, connection.input, relay_.read_chunks(), ec);
            if (net::would_block(ec)) {
                connection.input.release_if_idle(); // an idle connection holds no read buffer
                reads_this_turn = 0;
                // Suspension: the connection may be closed (its socket closed) or the server may
                // stop reading (read_cancel) meanwhile; both end this wait, and the loop
                // condition sees them. The input buffer is this reader's alone.
                co_await connection.socket.async_wait(
                    tcp::socket::wait_read,
                    asio::bind_cancellation_slot(connection.read_cancel.slot(),
                                                 asio::as_tuple(use_awaitable)));
                continue;
            }
            if (ec) {
                relay_.input_ended(connection, ec == asio::error::eof ? "" : ec.message());
                break;
            }
            while (relay_.route_input(connection, Clock::now()) == Relay::Input::paused) {
                // Suspension: the destination may drain, leave or get a new holder of its ID,
                // this connection may be closed, the server may stop reading. still_paused()
                // looks the destination up again by ID; no pointer to it is held here.
                while (relay_.still_paused(connection))
                    co_await connection.reader_wakeup.wait();
            }
            if (++reads_this_turn >= core::reads_per_turn) {
                reads_this_turn = 0;
                // Suspension: lets other connections run; nothing this reader holds is shared,
                // and the loop condition re-checks the connection and the server.
                co_await asio::post(io_, use_awaitable);
            }
        }
    } catch (const std::exception& e) {
        fail(connection, e); // closing wakes the writer, so the session ends
    }
    relay_.reader_finished(connection);
}

void Service::fail(Connection& connection, const std::exception& error) {
    log_.error("connection ", connection.remote, " id ", connection.id, ": ", error.what());
    relay_.failed(connection, error.what());
}

asio::awaitable<void> Service::writer([[maybe_unused]] Self self, Connection& connection) {
    try {
        for (;;) {
            switch (relay_.next_output(connection)) {
            case Relay::Output::done:
                co_return;
            case Relay::Output::wait:
                // Suspension: whoever queues for it, closes it or changes its state wakes it.
                co_await connection.writer_wakeup.wait();
                continue;
            case Relay::Output::finish: {
                boost::system::error_code ignored;
                connection.socket.shutdown(tcp::socket::shutdown_send, ignored); // FIN last
                if (relay_.flushed(connection) == Relay::Finish::linger &&
                    // Suspension: the drain deadline or an abort closes the connection, which
                    // ends the linger (net::discard_until_fin says why it lingers).
                    co_await net::discard_until_fin(connection.socket, [&] {
                        return connection.state == PeerState::lingering;
                    }))
                    relay_.linger_ended(connection);
                co_return;
            }
            case Relay::Output::write:
                break;
            }
            // Write without blocking (the socket is non-blocking), so the iovecs can be the
            // service's shared ones and no operation is allocated; wait only when it is full.
            boost::system::error_code ec;
            const std::size_t written =
                connection.socket.write_some(gather_.gather(connection.outbox), ec);
            if (net::would_block(ec)) {
                // Suspension: the queue may grow meanwhile, which is fine (it is gathered
                // again); a close aborts this wait, and next_output() then says done.
                co_await connection.socket.async_wait(tcp::socket::wait_write,
                                                      asio::as_tuple(use_awaitable));
                continue;
            }
            if (ec) {
                relay_.failed(connection, ec.message());
                co_return;
            }
            relay_.wrote(connection, written, Clock::now());
        }
    } catch (const std::exception& e) {
        fail(connection, e); // closing wakes the reader, so the session ends
    }
}

} // namespace switchboard::single_task
