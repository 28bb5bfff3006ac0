#include "listener.hpp"

#include <boost/asio/ip/address.hpp>

#include <system_error>

namespace switchboard::detail {

using boost::asio::ip::tcp;

void open_listener(tcp::acceptor& acceptor, const Config& config) {
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
}

std::string listening_address(const tcp::acceptor& acceptor) {
    boost::system::error_code ec;
    const auto endpoint = acceptor.local_endpoint(ec);
    if (ec)
        return {};
    const auto address = endpoint.address();
    std::string text = address.to_string();
    if (address.is_v6())
        text = '[' + text + ']';
    text += ':';
    text += std::to_string(endpoint.port());
    return text;
}

std::uint16_t listening_port(const tcp::acceptor& acceptor) noexcept {
    boost::system::error_code ec;
    const auto endpoint = acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

} // namespace switchboard::detail
