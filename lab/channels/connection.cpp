#include "lab/channels/connection.hpp"

#include <boost/asio/post.hpp>

#include <limits>

namespace switchboard::lab::channels {

namespace {

/// Channels that never refuse a try_send: what bounds them is the protocol (a reader has one
/// batch in flight, a destination's queue grows only until its senders are paused).
constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

} // namespace

Connection::Connection(Strand s, boost::asio::ip::tcp::socket accepted, const Config& config)
    : strand(std::move(s))
    , socket(std::move(accepted))
    , mailbox(strand, unbounded)
    , answers(strand, 1) // one batch in flight, so at most one answer waiting
    , input(config.max_frame)
    , outbox(config.high_water, config.low_water) {}

void Connection::close_soon() {
    boost::asio::post(strand, [self = shared_from_this()] { self->close_socket(); });
}

void Connection::stop_reading_soon() {
    boost::asio::post(strand, [self = shared_from_this()] {
        self->stop_reading = true;
        self->read_cancel.emit(boost::asio::cancellation_type::terminal); // if waiting for input
    });
}

void Connection::close_socket() noexcept {
    closed = true;
    boost::system::error_code ignored;
    socket.close(ignored);
}

} // namespace switchboard::lab::channels
