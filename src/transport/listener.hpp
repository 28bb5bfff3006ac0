// The TCP side of every model, written once: opening the listener from Config (an IP
// literal, SO_REUSEADDR, the system's maximum backlog, errors that name the address), what an
// accepted socket is set to, how addresses are printed, and which accept errors mean "back
// off" rather than "try the next one".
#pragma once

#include <switchboard/config.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <string>

namespace switchboard::transport {

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

} // namespace switchboard::transport
