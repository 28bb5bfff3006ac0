// Getting connected: to the server (connect, then read the 4-byte ID it sends first, both
// bounded by a timeout), or straight to the bench itself over loopback for the modes that
// measure without a server.
#pragma once

#include <switchboard/protocol.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <string>
#include <utility>

namespace switchboard::bench {

using tcp = boost::asio::ip::tcp;

/// How long connecting and receiving the ID may take before the run fails.
inline constexpr std::chrono::seconds connect_timeout{10};

/// The server's address, resolved once. Throws BenchError.
tcp::endpoint resolve(const std::string& host, std::uint16_t port);

struct Client {
    tcp::socket socket;
    PeerId id = 0;
};

/// Connects to `server` (described as `name` in errors) and reads the client's ID, on the
/// calling coroutine's executor. Throws BenchError on failure or after connect_timeout.
boost::asio::awaitable<Client> connect_client(tcp::endpoint server, std::string name);

/// Listens on 127.0.0.1, port 0, for loopback_pair.
tcp::acceptor loopback_listener(boost::asio::io_context& io);

/// A connected loopback TCP connection: the connecting end on `first_io`, the accepted end on
/// `second_io`. Blocking: only for set-up, before the contexts run.
std::pair<tcp::socket, tcp::socket> loopback_pair(tcp::acceptor& listener,
                                                  boost::asio::io_context& first_io,
                                                  boost::asio::io_context& second_io);

/// Turns Nagle off: the bench's writes are either batched already or latency-sensitive.
void configure(tcp::socket& socket);

} // namespace switchboard::bench
