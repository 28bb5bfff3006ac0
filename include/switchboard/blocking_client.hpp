// A blocking switchboard client for tools, scripts and tests: every call returns when done or
// when its timeout expires. No Asio in this header; inside, it runs the coroutine Client
// (client.hpp) on a private io_context, only while one of its calls is running.
#pragma once

#include <switchboard/protocol.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard {

/// @par Thread safety
/// Not thread-safe: one thread at a time may call into a BlockingClient. Different
/// BlockingClients are independent and may be used from different threads at once.
///
/// @par Errors
/// As Client: boost::system::system_error carrying the Asio error (connection_refused,
/// eof when the server closed the connection, broken_pipe, ...), std::invalid_argument for a
/// payload containing 0x00 (nothing is sent), std::logic_error for misuse. A timeout is
/// reported by receive() as std::nullopt and by connect() and send() as system_error with
/// boost::asio::error::timed_out.
///
/// @par Timeouts
/// Every blocking call is bounded by its timeout: when it expires, the pending operation is
/// cancelled and the call returns or throws at once. Exception: connecting to a host *name*
/// asks the system resolver, which cannot be interrupted, so a resolver that hangs can hold
/// connect() (or the destructor) beyond its timeout; IP literals never touch it.
class BlockingClient {
public:
    static constexpr std::chrono::milliseconds default_timeout{5'000};

    BlockingClient();
    /// Closes the connection at once (see close()).
    ~BlockingClient();
    /// A moved-from BlockingClient may only be destroyed or assigned to.
    BlockingClient(BlockingClient&& other) noexcept;
    BlockingClient& operator=(BlockingClient&& other) noexcept;
    BlockingClient(const BlockingClient&) = delete;
    BlockingClient& operator=(const BlockingClient&) = delete;

    /// Connects to `host` (IP literal or host name) on `port` and returns the ID the server
    /// assigns. On timeout throws system_error(timed_out); on any failure the client stays
    /// closed and may try again. Throws std::logic_error when already connected.
    PeerId connect(const std::string& host, std::uint16_t port,
                   std::chrono::milliseconds timeout = default_timeout);

    /// The ID of the current connection; 0 when not connected.
    PeerId id() const noexcept;
    bool is_open() const noexcept;

    /// Sends one frame to `destination`; returns once it is in the kernel's send buffer.
    /// Throws std::invalid_argument, before anything is sent, when `payload` contains 0x00.
    /// On timeout (the server paused this sender because the destination is not reading)
    /// the connection is closed, since part of the frame may have gone out, and
    /// system_error(timed_out) is thrown.
    void send(PeerId destination, std::string_view payload,
              std::chrono::milliseconds timeout = default_timeout);

    /// The next message delivered to this client, without its terminating 0x00, or
    /// std::nullopt when none arrived within `timeout`. A timeout loses nothing: the
    /// connection stays usable and the next call returns the message. Throws system_error
    /// with boost::asio::error::eof once the server has closed the connection and every
    /// message was returned.
    std::optional<std::string> receive(std::chrono::milliseconds timeout = default_timeout);

    /// Half-close (FIN): the server delivers everything sent before, frees the ID, flushes
    /// what is queued to this client, then closes. Keep calling receive() until it throws
    /// eof to read the rest. Does not block.
    void shutdown_send();

    /// Closes at once; buffered messages are dropped. Idempotent. The client may connect
    /// again afterwards.
    void close() noexcept;

    class Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace switchboard
