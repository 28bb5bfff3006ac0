// The switchboard relay server. In its default model, single-task, every connection is served
// by coroutines on the one io_context the server is given, and that io_context must be run by
// exactly one thread; shared state (the directory of peers, their queues, the counters) is
// touched directly between awaits, without locks. Config::model picks one of the designs it
// is compared with instead (docs/patterns.md); the interface below is the same for all.
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

namespace detail {
class ServerModel;
} // namespace detail

/// @par Thread safety
/// `stats()`, `stop()` and `abort()` may be called from any thread. Everything else must be
/// called before the io_context runs or from the thread running it.
///
/// @par Lifetime
/// Destroying the Server object while connections are still open is safe: it aborts them
/// (see `abort()`). In the one-thread models the coroutines share ownership of the state and
/// finish the next time the io_context runs, or are destroyed with it; the multi-threaded
/// models (mutex, channels) run a thread pool of their own, joined before the destructor
/// returns.
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
    /// `on_stopped` on the thread running the io_context given to the constructor. Once it has been
    /// called the server owns no more pending work, so io_context::run() returns unless something
    /// else keeps it busy.
    void stop(std::function<void()> on_stopped = {});

    /// Immediate stop, from any thread: what is still queued is dropped and counted.
    void abort();

    class Impl; ///< the single-task model's state

private:
    std::unique_ptr<detail::ServerModel> model_;
};

} // namespace switchboard
