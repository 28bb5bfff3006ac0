// The switchboard relay server. Every connection is served by coroutines on the one
// io_context the server is given, and that io_context must be run by exactly one thread:
// shared state (the directory of peers, their queues, the counters) is touched directly
// between awaits, without locks. docs/architecture.md explains why that is safe.
#pragma once

#include <switchboard/config.hpp>
#include <switchboard/stats.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace switchboard {

namespace single_task {
class Engine;
} // namespace single_task

/// @par Thread safety
/// `stats()`, `stop()` and `abort()` may be called from any thread. Everything else must be
/// called before the io_context runs or from the thread running it.
///
/// @par Lifetime
/// Declare the io_context before the Server. Destroying the Server while connections are
/// still open is safe: it aborts them (see `abort()`); the coroutines share ownership of the
/// state and finish the next time the io_context runs, or are destroyed with it.
class Server {
public:
    /// Validates `config`; throws std::invalid_argument describing the first bad value.
    Server(boost::asio::io_context& io, Config config);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens now (so the port is known on return), then starts accepting once the
    /// io_context runs. Throws std::system_error when the address cannot be bound, and
    /// std::logic_error when called twice.
    void start();

    /// The bound port (useful with Config::port = 0). Valid after start().
    std::uint16_t port() const noexcept;
    /// "host:port" of the listener, for logs and clients. Valid after start().
    std::string local_address() const;

    /// A snapshot of the counters. Any thread.
    Stats stats() const noexcept;

    /// Graceful stop, from any thread: close the listener, stop reading, flush what is queued
    /// to each peer within Config::drain_timeout, close every connection with FIN, then call
    /// `on_stopped` on the thread running the io_context given to the constructor. Once it has
    /// been called the server owns no more pending work, so io_context::run() returns unless
    /// something else keeps it busy.
    void stop(std::function<void()> on_stopped = {});

    /// Immediate stop, from any thread: what is still queued is dropped and counted.
    void abort();

    /// For the designs this one is compared with (the lab, docs/patterns.md) and their tests:
    /// the same facade over another engine, built from the validated config. Not a stable
    /// interface; an application has no use for it.
    using EngineFactory = std::function<std::shared_ptr<single_task::Engine>(
        boost::asio::io_context&, const Config&)>;
    Server(boost::asio::io_context& io, Config config, const EngineFactory& make_engine);

private:
    struct Lifecycle;
    boost::asio::io_context& io_;
    std::shared_ptr<single_task::Engine> engine_;
    std::shared_ptr<Lifecycle> lifecycle_;
};

} // namespace switchboard
