#include "net.hpp"

#include "failure.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <array>
#include <cstddef>

namespace switchboard::bench {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {

constexpr auto no_throw = asio::as_tuple(use_awaitable);

/// Connect and read the ID; reports how it went rather than throwing, so that the race with
/// the timer below ends as soon as either side completes (see ANCHORS: `||` waits for a
/// successful completion).
asio::awaitable<std::string> connect_and_read_id(tcp::socket& socket, tcp::endpoint server,
                                                 std::array<std::byte, 4>& id,
                                                 const std::string& name) {
    if (auto [ec] = co_await socket.async_connect(server, no_throw); ec)
        co_return "cannot connect to " + name + ": " + ec.message();
    configure(socket);
    auto [ec, n] = co_await asio::async_read(socket, asio::buffer(id), no_throw);
    if (ec == asio::error::eof || ec == asio::error::connection_reset)
        co_return name + " closed a new connection before sending its ID (at its connection "
                         "limit? see the server's --max-connections)";
    if (ec)
        co_return "reading the ID from " + name + ": " + ec.message();
    co_return std::string();
}

} // namespace

tcp::endpoint resolve(const std::string& host, std::uint16_t port) {
    asio::io_context io(1);
    tcp::resolver resolver(io);
    boost::system::error_code ec;
    const auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty())
        throw BenchError("cannot resolve '" + host +
                         "': " + (ec ? ec.message() : std::string("no address")));
    return results.begin()->endpoint();
}

void configure(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
}

asio::awaitable<Client> connect_client(tcp::endpoint server, std::string name) {
    using namespace asio::experimental::awaitable_operators;
    const auto executor = co_await asio::this_coro::executor;
    Client client{tcp::socket(executor)};
    std::array<std::byte, 4> id{};
    asio::steady_timer deadline(executor, connect_timeout);
    auto outcome = co_await (connect_and_read_id(client.socket, server, id, name) ||
                             deadline.async_wait(no_throw));
    if (outcome.index() == 1)
        throw BenchError("no answer from " + name + " within " +
                         std::to_string(connect_timeout.count()) + " s (connect and ID)");
    if (const std::string& error = std::get<0>(outcome); !error.empty())
        throw BenchError(error);
    client.id = protocol::load_u32(id);
    co_return client;
}

tcp::acceptor loopback_listener(asio::io_context& io) {
    return tcp::acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
}

std::pair<tcp::socket, tcp::socket>
loopback_pair(tcp::acceptor& listener, asio::io_context& first_io, asio::io_context& second_io) {
    tcp::socket first(first_io);
    tcp::socket second(second_io);
    // The kernel completes the handshake from the listen backlog, so connecting first and
    // accepting after does not block.
    first.connect(listener.local_endpoint());
    listener.accept(second);
    configure(first);
    configure(second);
    return {std::move(first), std::move(second)};
}

} // namespace switchboard::bench
