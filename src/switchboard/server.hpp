// The switchboard relay server, single-task model: every connection of a server is served by
// coroutines on the one io_context it is given, and that io_context must be run by exactly
// one thread. Shared state (the directory of peers, their queues, the counters) is touched
// directly between awaits, without locks.
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

/// @par Thread safety
/// `stats()`, `stop()` and `abort()` may be called from any thread. Everything else must be
/// called before the io_context runs or from the thread running it.
///
/// @par Lifetime
/// The server's coroutines share ownership of its state, so destroying the Server object
/// while connections are still open is safe: it aborts them (see `abort()`), and they finish
/// the next time the io_context runs, or are destroyed with it.
class Server {
public:
    /// Validates `config`; throws std::invalid_argument describing the first bad value.
    Server(boost::asio::io_context& io, Config config);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Binds and listens now (so the port is known on return), then starts accepting once the
    /// io_context runs. Throws std::system_error when the address cannot be bound.
    void start();

    /// The bound port (useful with Config::port = 0). Valid after start().
    std::uint16_t port() const noexcept;
    /// "host:port" of the listener, for logs and clients. Valid after start().
    std::string local_address() const;

    /// A snapshot of the counters. Any thread.
    Stats stats() const noexcept;

    /// Graceful stop, from any thread: close the listener, stop reading, flush what is queued
    /// to each peer within Config::drain_timeout, close every connection with FIN, then call
    /// `on_stopped` on the io_context's thread. Once it has been called the server owns no more
    /// pending work, so io_context::run() returns unless something else keeps it busy.
    void stop(std::function<void()> on_stopped = {});

    /// Immediate stop, from any thread: what is still queued is dropped and counted.
    void abort();

    class Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace switchboard
