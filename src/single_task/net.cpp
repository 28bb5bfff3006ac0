#include "single_task/net.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace switchboard::single_task::net {

namespace asio = boost::asio;
using asio::ip::tcp;

Bound open_listener(tcp::acceptor& acceptor, const Config& config) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(config.host, ec);
    if (ec)
        throw std::system_error(ec, "not an IP address: '" + config.host + "'");
    const tcp::endpoint endpoint(address, config.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(endpoint, ec);
    if (ec)
        throw std::system_error(ec, "cannot listen on " + config.host + ":" +
                                        std::to_string(config.port));
    acceptor.listen(boost::asio::socket_base::max_listen_connections);
    return Bound{listening_port(acceptor), listening_address(acceptor)};
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    std::string text = address.to_string();
    if (address.is_v6())
        text = '[' + text + ']';
    text += ':';
    text += std::to_string(endpoint.port());
    return text;
}

std::string listening_address(const tcp::acceptor& acceptor) {
    boost::system::error_code ec;
    const auto endpoint = acceptor.local_endpoint(ec);
    return ec ? std::string() : format_endpoint(endpoint);
}

std::uint16_t listening_port(const tcp::acceptor& acceptor) noexcept {
    boost::system::error_code ec;
    const auto endpoint = acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

std::string remote_address(const tcp::socket& socket) {
    boost::system::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    return ec ? std::string("?") : format_endpoint(endpoint);
}

void prepare_accepted(tcp::socket& socket) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.non_blocking(true, ignored);
}

bool must_back_off(const boost::system::error_code& error) noexcept {
    namespace e = boost::asio::error;
    return error == e::no_descriptors || error == e::no_buffer_space || error == e::no_memory ||
           error == boost::system::error_code(ENFILE, boost::system::system_category());
}

bool would_block(const boost::system::error_code& error) noexcept {
    return error == asio::error::would_block || error == asio::error::try_again;
}

std::size_t read_into(asio::ip::tcp::socket& socket, core::InputBuffer& input,
                      core::ChunkPool& pool, boost::system::error_code& error, std::size_t limit) {
    const std::span<std::byte> room = input.prepare(pool);
    const std::size_t n =
        socket.read_some(asio::buffer(room.data(), std::min(room.size(), limit)), error);
    if (!error)
        input.commit(n);
    return error ? 0 : n;
}

std::size_t gather_buffers(const core::Outbox& outbox, std::span<core::ByteView> views,
                           std::span<asio::const_buffer> out, std::size_t max_bytes) {
    const std::size_t count =
        outbox.gather(views.first(std::min(views.size(), out.size())), max_bytes);
    for (std::size_t i = 0; i < count; ++i)
        out[i] = asio::const_buffer(views[i].data, views[i].size);
    return count;
}

} // namespace switchboard::single_task::net
