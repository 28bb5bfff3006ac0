// The listener and the server's lifecycle: start, accept, housekeeping, stop and abort.
// One connection's coroutines are in session.cpp.
#include "transport/listener.hpp"
#include "server_model.hpp"
#include "server_impl.hpp"

#include <switchboard/units.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>

namespace switchboard {

namespace asio = boost::asio;
using asio::use_awaitable;

namespace {

/// Logs an exception that escaped a coroutine: `detached` would swallow it silently.
auto log_failure(std::shared_ptr<Server::Impl> impl, const char* what) {
    return [impl = std::move(impl), what](std::exception_ptr error) {
        if (!error)
            return;
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            impl->log.error(what, " failed: ", e.what());
        }
    };
}

std::chrono::milliseconds housekeeping_period(std::chrono::milliseconds slow_consumer_timeout) {
    // A quarter of the timeout: a slow consumer is caught within 125% of it.
    using std::chrono::milliseconds;
    return std::clamp(slow_consumer_timeout / 4, milliseconds(5), milliseconds(1000));
}

} // namespace

Server::Impl::Impl(asio::io_context& io_context, Config cfg)
    : io(io_context)
    , config(std::move(cfg))
    , log(config.log_level, config.log_sink)
    , acceptor(io_context)
    , chunks(config.read_chunk_size)
    , staging_chunks(detail::staging_chunk_size)
    , housekeeping(io_context)
    , drain_deadline(io_context) {}

void Server::Impl::start() {
    if (state != State::created)
        throw std::logic_error("switchboard::Server::start called twice");
    detail::open_listener(acceptor, config);
    state = State::running;
    accepting = true;
    auto self = shared_from_this();
    asio::co_spawn(io, accept_loop(self), log_failure(self, "accept loop"));
    asio::co_spawn(io, housekeeping_loop(self), log_failure(self, "housekeeping"));
    log.info("listening on ", acceptor.local_endpoint(), " (max frame ",
             format_byte_size(config.max_frame), ", high/low water ",
             format_byte_size(config.high_water), "/", format_byte_size(config.low_water),
             ", slow consumer timeout ", format_duration(config.slow_consumer_timeout),
             ", max connections ", config.max_connections, ")");
}

asio::awaitable<void> Server::Impl::accept_loop(std::shared_ptr<Impl> self) {
    asio::steady_timer backoff(io);
    while (acceptor.is_open()) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
            break;
        if (ec) {
            // Out of descriptors or memory: accept fails at once and would spin the thread;
            // wait a little for connections to close instead.
            log.warning("accept failed: ", ec.message(), "; retrying in 100ms");
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(asio::as_tuple(use_awaitable));
            continue;
        }
        if (peers.size() >= config.max_connections) {
            counters.connections_refused.add();
            boost::system::error_code ignored;
            log.warning("refused ", socket.remote_endpoint(ignored), ": at max_connections (",
                        config.max_connections, ")");
            socket.close(ignored);
            continue;
        }
        // The session registers its peer before its first suspension (co_spawn runs it inline
        // up to there), so the connection count above is exact on the next accept.
        asio::co_spawn(io, session(self, std::move(socket)), log_failure(self, "session"));
    }
    accepting = false;
    maybe_finish_stop();
}

asio::awaitable<void> Server::Impl::housekeeping_loop([[maybe_unused]] std::shared_ptr<Impl> self) {
    const auto period = housekeeping_period(config.slow_consumer_timeout);
    while (state == State::running || state == State::draining) {
        housekeeping.expires_after(period);
        auto [ec] = co_await housekeeping.async_wait(asio::as_tuple(use_awaitable));
        if (ec || state == State::stopped)
            break;
        close_slow_consumers();
    }
}

void Server::Impl::close_slow_consumers() {
    // O(live peers) once per period, independent of traffic. close_peer only marks and
    // closes; peers leave the list when their session ends, never during this loop.
    const auto now = std::chrono::steady_clock::now();
    for (Peer* peer : peers) {
        if (!peer->closed && !peer->outbox.empty() &&
            now - peer->last_progress >= config.slow_consumer_timeout) {
            close_peer(*peer, CloseReason::slow_consumer);
        }
    }
}

void Server::Impl::stop(std::function<void()> on_stopped) {
    if (on_stopped)
        stopped_handlers.push_back(std::move(on_stopped));
    if (state == State::created || state == State::stopped) {
        state = State::stopped;
        maybe_finish_stop();
        return;
    }
    if (state == State::draining)
        return;
    state = State::draining;
    log.info("stopping: listener closed, flushing ", peers.size(), " connection(s) within ",
             config.drain_timeout.count(), "ms");
    boost::system::error_code ignored;
    acceptor.close(ignored);
    reading_stopped = true;
    for (Peer* peer : peers) {
        peer->read_cancel.emit(asio::cancellation_type::terminal);
        peer->reader_wakeup.notify();
        peer->writer_wakeup.notify();
    }
    drain_deadline.expires_after(config.drain_timeout);
    drain_deadline.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec)
            return;
        for (Peer* peer : self->peers)
            if (!peer->closed)
                self->close_peer(*peer, peer->lingering ? CloseReason::linger_ended
                                                        : CloseReason::drain_timeout);
    });
    maybe_finish_stop();
}

void Server::Impl::abort() {
    if (state == State::stopped)
        return;
    if (state == State::created) {
        state = State::stopped;
        return;
    }
    state = State::draining;
    reading_stopped = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (Peer* peer : peers)
        if (!peer->closed)
            close_peer(*peer, CloseReason::aborted);
    maybe_finish_stop();
}

void Server::Impl::maybe_finish_stop() {
    if (state == State::running || accepting || !peers.empty())
        return;
    if (state == State::draining) {
        state = State::stopped;
        housekeeping.cancel();
        drain_deadline.cancel();
        log.info("stopped: ", to_string(counters.snapshot()));
    }
    auto handlers = std::move(stopped_handlers);
    stopped_handlers.clear();
    for (auto& handler : handlers)
        handler();
}

// --- the single-task model behind the Server facade: posts where a call may come from any
// thread, so that every touch of the state happens on the io_context's one thread.

namespace {

class SingleTaskModel final : public detail::ServerModel {
public:
    SingleTaskModel(asio::io_context& io, Config config)
        : impl_(std::make_shared<Server::Impl>(io, std::move(config))) {}
    ~SingleTaskModel() override { abort(); }

    void start() override { impl_->start(); }
    std::uint16_t port() const noexcept override { return detail::listening_port(impl_->acceptor); }
    std::string local_address() const override {
        return detail::listening_address(impl_->acceptor);
    }
    Stats stats() const noexcept override { return impl_->counters.snapshot(); }

    void stop(std::function<void()> on_stopped) override {
        asio::post(impl_->io, [impl = impl_, handler = std::move(on_stopped)]() mutable {
            impl->stop(std::move(handler));
        });
    }
    void abort() override {
        asio::post(impl_->io, [impl = impl_] { impl->abort(); });
    }

private:
    std::shared_ptr<Server::Impl> impl_;
};

} // namespace

std::unique_ptr<detail::ServerModel> detail::make_single_task_model(asio::io_context& io,
                                                                    Config config) {
    return std::make_unique<SingleTaskModel>(io, std::move(config));
}

// --- the public facade: one model, chosen by Config::model

Server::Server(asio::io_context& io, Config config) {
    if (auto problem = config.validate())
        throw std::invalid_argument("invalid switchboard config: " + *problem);
    model_ = detail::make_model(io, std::move(config));
}

Server::~Server() = default; // the model aborts what it still serves

void Server::start() {
    model_->start();
}

std::uint16_t Server::port() const noexcept {
    return model_->port();
}

std::string Server::local_address() const {
    return model_->local_address();
}

Stats Server::stats() const noexcept {
    return model_->stats();
}

void Server::stop(std::function<void()> on_stopped) {
    model_->stop(std::move(on_stopped));
}

void Server::abort() {
    model_->abort();
}

} // namespace switchboard
