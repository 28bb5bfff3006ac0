// Opening the listening socket the same way in every model: the address of Config as an IP
// literal, SO_REUSEADDR, the system's maximum backlog, and errors that name the address.
#pragma once

#include <switchboard/config.hpp>

#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace switchboard::detail {

/// Binds and listens on config.host:config.port. Throws std::system_error naming the address
/// when it is not an IP literal or cannot be bound.
void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const Config& config);

/// "127.0.0.1:8080" or "[::1]:8080"; empty if the acceptor is not open.
std::string listening_address(const boost::asio::ip::tcp::acceptor& acceptor);
/// The bound port, or 0 if the acceptor is not open.
std::uint16_t listening_port(const boost::asio::ip::tcp::acceptor& acceptor) noexcept;

} // namespace switchboard::detail
