#include "receive_buffer.hpp"

#include <switchboard/client.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

#include <array>
#include <stdexcept>
#include <utility>

namespace switchboard {

namespace asio = boost::asio;
using asio::use_awaitable;
using asio::ip::tcp;
using boost::system::error_code;

class Client::Impl {
public:
    explicit Impl(executor_type executor)
        : socket(std::move(executor)) {}

    /// Closes the socket (aborting pending operations) and forgets the connection.
    void close() noexcept {
        ++generation;
        error_code ignored;
        socket.close(ignored);
        id = 0;
        buffer.clear();
        read_failure = {};
    }

    tcp::socket socket;
    PeerId id = 0;
    detail::ReceiveBuffer buffer;
    std::size_t max_message = default_max_message_size;
    /// The error that ended reading (eof, reset...), repeated by every later receive. Asking
    /// the socket again would not do: after a read that returned nothing, Asio 1.26's reactor
    /// waits for a new readiness edge, and a closed connection never produces one.
    error_code read_failure;
    /// Bumped by close(). An operation that finds it changed after an await knows the
    /// connection it was working on is gone, even when its own IO succeeded meanwhile.
    std::uint64_t generation = 0;
    bool connecting = false;
    bool sending = false;
    bool receiving = false;
};

namespace {

/// Marks one kind of operation in flight for the guard's lifetime. Starting a second one of
/// the same kind, or anything during a connect, is a bug in the caller: fail loudly.
class InFlight {
public:
    InFlight(const Client::Impl& impl, bool& flag, const char* what)
        : flag_(flag) {
        if (flag_ || impl.connecting)
            throw std::logic_error(std::string("switchboard::Client::") + what +
                                   (impl.connecting ? " while a connect is in progress"
                                                    : " while another one is in progress"));
        flag_ = true;
    }
    ~InFlight() { flag_ = false; }
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;

private:
    bool& flag_;
};

[[noreturn]] void fail(error_code ec, const std::string& what) {
    throw boost::system::system_error(ec, what);
}

/// One read into the buffer's free room. Nothing is consumed if it fails or is cancelled.
asio::awaitable<void> fill(Client::Impl& impl, const std::string& what) {
    if (!impl.socket.is_open())
        fail(asio::error::not_connected, what);
    if (impl.read_failure)
        fail(impl.read_failure, what);
    const std::uint64_t generation = impl.generation;
    const std::span<char> room = impl.buffer.prepare();
    auto [ec, n] = co_await impl.socket.async_read_some(asio::buffer(room.data(), room.size()),
                                                        asio::as_tuple(use_awaitable));
    // close() may have run while the completion was queued: the bytes belong to nobody now.
    if (!ec && impl.generation != generation)
        ec = asio::error::operation_aborted;
    if (ec && ec != asio::error::operation_aborted) // a cancellation may be retried
        impl.read_failure = ec;
    if (ec)
        fail(ec, what);
    impl.buffer.commit(n);
}

asio::awaitable<PeerId> connect_op(std::shared_ptr<Client::Impl> self, std::string host,
                                   std::uint16_t port) {
    Client::Impl& impl = *self;
    if (impl.connecting || impl.sending || impl.receiving)
        throw std::logic_error("switchboard::Client::connect while another operation is pending");
    if (impl.socket.is_open())
        throw std::logic_error("switchboard::Client::connect: already connected; close() first");
    InFlight in_flight(impl, impl.connecting, "connect");
    impl.close(); // a fresh buffer and generation
    const std::uint64_t generation = impl.generation;
    const std::string what = "switchboard::Client::connect to " + host + ":" + std::to_string(port);
    try {
        error_code ec;
        const asio::ip::address address = asio::ip::make_address(host, ec);
        if (!ec) {
            std::tie(ec) = co_await impl.socket.async_connect(tcp::endpoint(address, port),
                                                              asio::as_tuple(use_awaitable));
        } else {
            tcp::resolver resolver(impl.socket.get_executor());
            auto [resolve_ec, endpoints] = co_await resolver.async_resolve(
                host, std::to_string(port), tcp::resolver::numeric_service,
                asio::as_tuple(use_awaitable));
            if (resolve_ec)
                fail(resolve_ec, what);
            if (impl.generation != generation)
                fail(asio::error::operation_aborted, what);
            std::tie(ec, std::ignore) =
                co_await asio::async_connect(impl.socket, endpoints, asio::as_tuple(use_awaitable));
        }
        if (!ec && impl.generation != generation)
            ec = asio::error::operation_aborted;
        if (ec)
            fail(ec, what);
        // Every frame leaves in one write; waiting to coalesce would only add latency.
        impl.socket.set_option(tcp::no_delay(true), ec);

        while (impl.buffer.size() < protocol::id_size) {
            try {
                co_await fill(impl, what);
            } catch (const boost::system::system_error& e) {
                if (e.code() != asio::error::eof)
                    throw;
                fail(e.code(), what + ": the server closed the connection before sending an ID "
                                      "(is it at its connection limit?)");
            }
        }
        const std::string_view id = impl.buffer.take(protocol::id_size);
        impl.id = protocol::load_u32(std::span<const std::byte, protocol::id_size>(
            reinterpret_cast<const std::byte*>(id.data()), protocol::id_size));
        co_return impl.id;
    } catch (...) {
        if (impl.generation == generation)
            impl.close();
        throw;
    }
}

asio::awaitable<void> send_op(std::shared_ptr<Client::Impl> self, PeerId destination,
                              std::string_view payload) {
    if (payload.find('\0') != std::string_view::npos)
        throw std::invalid_argument("switchboard::Client::send: the payload contains a 0x00 byte, "
                                    "which the protocol reserves as the frame terminator");
    Client::Impl& impl = *self;
    InFlight in_flight(impl, impl.sending, "send");
    if (!impl.socket.is_open())
        fail(asio::error::not_connected, "switchboard::Client::send");

    std::array<std::byte, protocol::id_size> header;
    protocol::store_u32(header, destination);
    static constexpr char terminator = '\0';
    const std::array<asio::const_buffer, 3> frame{
        asio::buffer(header),
        asio::buffer(payload.data(), payload.size()),
        asio::buffer(&terminator, 1),
    };
    auto [ec, written] =
        co_await asio::async_write(impl.socket, frame, asio::as_tuple(use_awaitable));
    if (ec)
        fail(ec, "switchboard::Client::send");
}

asio::awaitable<std::string> receive_op(std::shared_ptr<Client::Impl> self) {
    Client::Impl& impl = *self;
    InFlight in_flight(impl, impl.receiving, "receive");
    static const std::string what = "switchboard::Client::receive";
    for (;;) {
        if (const auto message = impl.buffer.next_message())
            co_return std::string(*message);
        if (impl.buffer.size() > impl.max_message)
            fail(asio::error::message_size, what + ": more than " +
                                                std::to_string(impl.max_message) +
                                                " bytes arrived without a terminator");
        co_await fill(impl, what);
    }
}

} // namespace

Client::Client(executor_type executor)
    : impl_(std::make_shared<Impl>(std::move(executor))) {}

Client::~Client() {
    if (impl_)
        impl_->close();
}

Client::Client(Client&& other) noexcept = default;

Client& Client::operator=(Client&& other) noexcept {
    if (this != &other) {
        if (impl_)
            impl_->close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

Client::executor_type Client::get_executor() const noexcept {
    return impl_->socket.get_executor();
}

asio::awaitable<PeerId> Client::connect(std::string host, std::uint16_t port) {
    return connect_op(impl_, std::move(host), port);
}

PeerId Client::id() const noexcept {
    return impl_->id;
}

bool Client::is_open() const noexcept {
    return impl_->socket.is_open();
}

asio::awaitable<void> Client::send(PeerId destination, std::string_view payload) {
    return send_op(impl_, destination, payload);
}

asio::awaitable<std::string> Client::receive() {
    return receive_op(impl_);
}

void Client::shutdown_send() {
    if (!impl_->socket.is_open())
        fail(asio::error::not_connected, "switchboard::Client::shutdown_send");
    error_code ec;
    impl_->socket.shutdown(tcp::socket::shutdown_send, ec);
    if (ec)
        fail(ec, "switchboard::Client::shutdown_send");
}

void Client::close() noexcept {
    impl_->close();
}

void Client::set_max_message_size(std::size_t bytes) noexcept {
    impl_->max_message = bytes;
}

std::size_t Client::max_message_size() const noexcept {
    return impl_->max_message;
}

} // namespace switchboard
