// Lingering after our FIN, written once for every coroutine design. When the server stops
// reading a client that has not finished sending, closing at once would answer the client's
// next bytes with a reset, and a reset makes the client's kernel discard what it has received
// but not read yet. So the server reads and discards until the client's FIN; the drain
// deadline bounds how long (it closes the socket, which ends the wait).
#pragma once

#include "transport/stream_io.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cstddef>

namespace switchboard::transport {

/// Reads and discards `socket`'s input while `lingering()` holds. Returns true when the
/// client's FIN (or an error) ended it, false when `lingering()` stopped holding first (the
/// connection was closed meanwhile).
template <typename Lingering>
boost::asio::awaitable<bool> discard_until_fin(boost::asio::ip::tcp::socket& socket,
                                               Lingering lingering) {
    namespace asio = boost::asio;
    std::array<std::byte, 4096> sink;
    while (lingering()) {
        boost::system::error_code ec;
        socket.read_some(asio::buffer(sink), ec);
        if (would_block(ec)) {
            // Suspension: the drain deadline or an abort closes the socket, which aborts this
            // wait; the loop condition sees it.
            co_await socket.async_wait(asio::ip::tcp::socket::wait_read,
                                       asio::as_tuple(asio::use_awaitable));
            continue;
        }
        if (ec)
            co_return true; // the client's FIN, or an error: nothing more can arrive
    }
    co_return false;
}

} // namespace switchboard::transport
