// The TCP side of the single-task model, which every design of the lab uses too: opening the
// listener from Config (an IP literal, SO_REUSEADDR, the system's maximum backlog, errors that
// name the address); the accept loop with its one back-off policy; what an accepted socket is
// set to; how addresses are printed; a non-blocking read into a connection's InputBuffer and
// a non-blocking gather write of its Outbox; and lingering after our FIN. Nothing here waits
// except the two coroutines, and nothing decides anything about frames: that is the Relay's.
#pragma once

#include "core/chunk.hpp"
#include "core/input_buffer.hpp"
#include "core/log_lines.hpp"
#include "core/outbox.hpp"
#include "core/policy.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>

namespace switchboard::single_task::net {

// --- the listener

/// What a listener is bound to: port 0 resolved, and the address as logs show it. Engines
/// keep it from start() on, for port() and local_address() (read from any thread).
struct Bound {
    std::uint16_t port = 0;
    std::string address; ///< "127.0.0.1:8080" or "[::1]:8080"
};

/// Binds and listens on config.host:config.port. Throws std::system_error naming the address
/// when it is not an IP literal or cannot be bound.
Bound open_listener(boost::asio::ip::tcp::acceptor& acceptor, const Config& config);

/// "127.0.0.1:8080" or "[::1]:8080"; empty if the acceptor is not open.
std::string listening_address(const boost::asio::ip::tcp::acceptor& acceptor);
/// The bound port, or 0 if the acceptor is not open.
std::uint16_t listening_port(const boost::asio::ip::tcp::acceptor& acceptor) noexcept;

/// "127.0.0.1:5000" or "[::1]:5000": an endpoint as logs and tools show it.
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& endpoint);
/// The peer's address, or "?" when the socket has none any more (it was reset meanwhile).
std::string remote_address(const boost::asio::ip::tcp::socket& socket);

/// Sets an accepted socket up the way the relay reads and writes it: no Nagle delay (relayed
/// messages are small: don't hold them) and non-blocking (read and write until would_block).
void prepare_accepted(boost::asio::ip::tcp::socket& socket);

/// True for accept errors that mean the process is out of resources (EMFILE, ENFILE,
/// ENOBUFS, ENOMEM): accept fails at once while they last, so the loop must wait
/// core::accept_backoff before the next one. Other errors (a client that reset before it was
/// accepted, say) concern one connection only: the loop goes on at once.
bool must_back_off(const boost::system::error_code& error) noexcept;

// --- reading and writing without blocking

/// The kernel had nothing to give or no room to take: wait for readiness, then try again.
bool would_block(const boost::system::error_code& error) noexcept;

/// One non-blocking read into `input`, in room from `pool` (at most `limit` bytes), committed.
/// Returns the bytes read; `error` is set on EOF (boost::asio::error::eof), on an error, and
/// when nothing was there (would_block()).
std::size_t read_into(boost::asio::ip::tcp::socket& socket, core::InputBuffer& input,
                      core::ChunkPool& pool, boost::system::error_code& error,
                      std::size_t limit = std::numeric_limits<std::size_t>::max());

/// The front of `outbox` as buffers for one write: at most min(views.size(), out.size())
/// entries and `max_bytes` bytes, valid until the outbox is consumed or cleared. `views` is
/// scratch space of the same length. Returns how many buffers of `out` were filled.
std::size_t gather_buffers(const core::Outbox& outbox, std::span<core::ByteView> views,
                           std::span<boost::asio::const_buffer> out, std::size_t max_bytes);

/// The iovec arrays of one gather write (max_write_entries of them, 2 KiB): a write that
/// completes before its writer suspends can use a shared set, so an idle peer holds none.
class GatherBuffers {
public:
    /// The front of `outbox` for one write_some, as gather_buffers() gives it.
    std::span<const boost::asio::const_buffer>
    gather(const core::Outbox& outbox, std::size_t max_bytes = core::max_write_bytes) {
        return {buffers_.data(), gather_buffers(outbox, views_, buffers_, max_bytes)};
    }

private:
    std::array<core::ByteView, core::max_write_entries> views_;
    std::array<boost::asio::const_buffer, core::max_write_entries> buffers_;
};

// --- the two loops that wait

/// Accepts on `acceptor` until it is closed, with one policy for errors: an accept that failed
/// for lack of resources (must_back_off) is logged and retried after core::accept_backoff
/// (it fails at once while the cause lasts: retrying at once would spin the thread); any other
/// failure concerns one connection, and the loop goes on. What to do with a connection (admit
/// it, refuse it at max_connections, hand it to a dispatcher) is the caller's. Each connection's
/// socket is bound to a fresh `make_executor()` (the io_context's executor, or a strand of its
/// own), and handed to `on_accepted(socket, executor)`. Runs on the acceptor's executor.
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

/// Lingering after our FIN: when the server stops reading a client that has not finished
/// sending, closing at once would answer the client's next bytes with a reset, and a reset
/// makes the client's kernel discard what it has received but not read yet. So the server reads
/// and discards until the client's FIN; the drain deadline bounds how long (it closes the
/// socket, which ends the wait).
///
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

} // namespace switchboard::single_task::net
