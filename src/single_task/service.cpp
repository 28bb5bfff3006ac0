// The single-task service's listener and time: start, the accept loop, the housekeeping
// sweep, stop and abort. One connection's coroutines are in session.cpp.
#include "single_task/service.hpp"

#include "core/log_lines.hpp"
#include "core/policy.hpp"
#include "single_task/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace switchboard::single_task {

namespace asio = boost::asio;
using asio::use_awaitable;
using Clock = Relay::Clock;

Service::Service(asio::io_context& io, Config config, Tuning tuning)
    : io_(io)
    , config_(std::move(config))
    , log_(config_.log_level, config_.log_sink)
    , relay_(config_, tuning, log_, *this)
    , acceptor_(io)
    , housekeeping_(io)
    , drain_deadline_(io) {}

std::shared_ptr<Engine> make_engine(asio::io_context& io, const Config& config, Tuning tuning) {
    return std::make_shared<Service>(io, config, tuning);
}

void Service::start(StoppedHandler on_stopped) {
    bound_ = net::open_listener(acceptor_, config_);
    on_stopped_ = std::move(on_stopped);
    accepting_ = true;
    const Self self = shared_from_this();
    asio::co_spawn(io_, accept_loop(self), core::log_failure(self, log_, "accept loop"));
    asio::co_spawn(io_, housekeeping_loop(self), core::log_failure(self, log_, "housekeeping"));
}

asio::awaitable<void> Service::accept_loop(Self self) {
    co_await net::accept_connections(
        acceptor_, log_, [this] { return io_.get_executor(); },
        [&](tcp::socket socket, auto&&) {
            if (relay_.full()) {
                relay_.refuse(net::remote_address(socket));
                return; // closed as it goes: no ID was sent
            }
            // The session admits its peer before its first suspension (co_spawn runs it
            // inline up to there), so relay_.full() is exact at the next accept.
            asio::co_spawn(io_, session(self, std::move(socket)),
                           core::log_failure(self, log_, "session"));
        });
    accepting_ = false;
    maybe_finish();
}

asio::awaitable<void> Service::housekeeping_loop([[maybe_unused]] Self self) {
    const auto period = core::housekeeping_period(config_.slow_consumer_timeout);
    while (!stopped_) {
        housekeeping_.expires_after(period);
        // Suspension: peers come and go meanwhile; the sweep reads the relay as it is now.
        auto [ec] = co_await housekeeping_.async_wait(asio::as_tuple(use_awaitable));
        if (ec || stopped_)
            break;
        relay_.sweep(Clock::now());
    }
}

void Service::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    relay_.begin_drain();
    drain_deadline_.expires_after(config_.drain_timeout);
    drain_deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec)
            self->relay_.drain_deadline_passed();
    });
    maybe_finish();
}

void Service::abort() {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    relay_.abort();
    maybe_finish();
}

void Service::maybe_finish() {
    if (!stopping_ || accepting_ || relay_.size() != 0 || stopped_)
        return;
    stopped_ = true;
    housekeeping_.cancel();
    drain_deadline_.cancel();
    if (on_stopped_)
        std::exchange(on_stopped_, {})(relay_.counters().snapshot());
}

// --- PeerIo

void Service::wake_writer(Peer& peer) {
    static_cast<Connection&>(peer).writer_wakeup.notify();
}

void Service::wake_reader(Peer& peer) {
    static_cast<Connection&>(peer).reader_wakeup.notify();
}

void Service::stop_reading(Peer& peer) {
    auto& connection = static_cast<Connection&>(peer);
    connection.read_cancel.emit(asio::cancellation_type::terminal); // if waiting for input
    connection.reader_wakeup.notify();                              // if paused
}

void Service::close_transport(Peer& peer) {
    boost::system::error_code ignored;
    static_cast<Connection&>(peer).socket.close(ignored); // aborts the pending waits of both
}

} // namespace switchboard::single_task
