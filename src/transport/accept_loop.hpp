// The accept loop of every coroutine design, written once with the accept policy: an accept
// that failed for lack of resources (must_back_off) is logged and retried after
// core::accept_backoff, because accept fails at once while the cause lasts and retrying at
// once would spin the thread; any other failure concerns one connection and the loop goes on;
// a closed listener ends it. What to do with a connection (admit it, refuse it at
// max_connections, hand it to a dispatcher) is the caller's.
#pragma once

#include "core/log_lines.hpp"
#include "core/policy.hpp"
#include "transport/listener.hpp"

#include <switchboard/log.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace switchboard::transport {

/// Accepts on `acceptor` until it is closed. Each connection's socket is bound to a fresh
/// `make_executor()` (the io_context's executor, or a strand of its own), and handed to
/// `on_accepted(socket, executor)`. Runs on the acceptor's executor.
template <typename MakeExecutor, typename OnAccepted>
boost::asio::awaitable<void> accept_connections(boost::asio::ip::tcp::acceptor& acceptor,
                                                const Logger& log, MakeExecutor make_executor,
                                                OnAccepted on_accepted) {
    namespace asio = boost::asio;
    asio::steady_timer backoff(acceptor.get_executor());
    while (acceptor.is_open()) {
        auto executor = make_executor();
        auto [ec, socket] = co_await acceptor.async_accept(asio::any_io_executor(executor),
                                                           asio::as_tuple(asio::use_awaitable));
        // Suspension: a stop may have closed the listener meanwhile (the accept then aborts).
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
            break;
        if (ec) {
            const bool back_off = must_back_off(ec);
            core::log_accept_failed(log, ec.message(), back_off);
            if (back_off) {
                // Suspension: a stop closes the listener; the loop condition sees it.
                backoff.expires_after(core::accept_backoff);
                co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
            }
            continue;
        }
        on_accepted(std::move(socket), std::move(executor));
    }
}

} // namespace switchboard::transport
