// A switchboard client as C++20 coroutines over Boost.Asio: connect, learn your ID, send
// frames, receive delivered messages. For a blocking API without Asio in sight, see
// blocking_client.hpp.
//
// This is the one public header that includes Asio (only the executor and awaitable
// headers): its operations are awaitables. The socket and the buffers live in the .cpp.
#pragma once

#include <switchboard/protocol.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard {

/// One connection to a switchboard server.
///
/// @par Thread safety
/// Not thread-safe. Every member function must be called, and every awaitable awaited, on
/// the thread(s) running the executor given at construction; with an io_context run by more
/// than one thread, use a strand as that executor.
///
/// @par Concurrency of operations
/// Like a socket: at most one `send()` and at most one `receive()` may be in flight at the
/// same time (one of each together is fine, and is the way to read while writing). Starting a
/// second send or a second receive while one is pending throws std::logic_error; so does
/// any operation while `connect()` is pending.
///
/// @par Errors
/// IO errors are thrown as boost::system::system_error whose code() is the Asio error, for
/// example boost::asio::error::connection_refused from connect(). A connection the server
/// closed is reported by `receive()` as boost::asio::error::eof (bytes of a message cut short
/// are discarded), and by `send()` usually as broken_pipe or connection_reset. Operations on a
/// client that is not connected throw boost::asio::error::not_connected. After any error other
/// than a cancelled receive, the connection is in an unknown state: call close() (after eof
/// too: a stopping server waits for each client to close its side).
///
/// @par Cancellation
/// Operations follow the per-operation cancellation of the coroutine that awaits them
/// (a cancellation slot bound to the co_spawn completion token, or a parallel group):
/// - `receive()` supports terminal, partial and total cancellation: a cancelled receive
///   consumes nothing, and the next receive returns the message it would have returned.
/// - `send()` supports terminal cancellation: part of the frame may have been written and the
///   stream cannot be resynchronised, so close the client afterwards.
/// - `connect()` supports terminal cancellation and leaves the client closed. A host name
///   lookup in progress cannot be interrupted (the system resolver blocks); IP literals are
///   never looked up.
/// A cancelled operation throws system_error with boost::asio::error::operation_aborted.
/// `close()` cancels every pending operation the same way.
///
/// @par Lifetime
/// Pending operations share ownership of the connection state, so destroying the Client
/// while an operation is suspended is safe: it closes the socket and the operation completes
/// with operation_aborted (or is destroyed with the io_context).
class Client {
public:
    using executor_type = boost::asio::any_io_executor;

    /// Longest message receive() accepts by default: beyond any sane server's max_frame.
    static constexpr std::size_t default_max_message_size = 64 * 1024 * 1024;

    /// A client that is not connected yet; every operation runs on `executor`.
    explicit Client(executor_type executor);
    /// Closes the connection (see Lifetime).
    ~Client();
    /// A moved-from Client may only be destroyed or assigned to.
    Client(Client&& other) noexcept;
    Client& operator=(Client&& other) noexcept;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    executor_type get_executor() const noexcept;

    /// Connects to `host` (an IP literal, or a name to resolve; every address it resolves to
    /// is tried in turn) on `port`, then reads the 4-byte ID the server sends first, and
    /// returns it. Also sets TCP_NODELAY, since every frame goes out in one write.
    /// Throws std::logic_error when already connected (close() first), system_error when the
    /// name cannot be resolved or no address accepts the connection, and system_error with
    /// boost::asio::error::eof when the server closes before sending an ID (it does so when
    /// it is at its connection limit). On failure the client is left closed.
    boost::asio::awaitable<PeerId> connect(std::string host, std::uint16_t port);

    /// The ID the server gave this connection; 0 when not connected.
    PeerId id() const noexcept;
    bool is_open() const noexcept;

    /// Sends one frame, `[destination][payload][0x00]`, in a single gather write (the payload
    /// is not copied). `payload` must stay valid until the operation completes. A payload that
    /// contains 0x00 throws std::invalid_argument before anything is written: the protocol
    /// uses 0x00 as the terminator. Completes once the frame is in the kernel's send buffer;
    /// when the server applies backpressure (the destination is not reading), that takes
    /// as long as it takes: bound it with cancellation.
    boost::asio::awaitable<void> send(PeerId destination, std::string_view payload);

    /// The next message delivered to this client: its payload WITHOUT the terminating 0x00
    /// (which the wire carries). Reads in large chunks and keeps what follows the message for
    /// the next call. Note that with error notices turned on at the server, a notice arrives
    /// as a message too (`0xFF "Error: ..."`).
    /// Throws system_error with boost::asio::error::eof once the server has closed the
    /// connection and every complete message was returned, and with
    /// boost::asio::error::message_size when more than max_message_size() bytes arrive
    /// without a terminator.
    boost::asio::awaitable<std::string> receive();

    /// Half-close: tells the server this client will send nothing more (TCP FIN). The server
    /// then frees the ID, still delivers every frame sent before, flushes what is queued to
    /// this client and closes; receive() returns those messages, then throws eof. The
    /// graceful way to leave without losing anything in either direction.
    /// Throws system_error when the socket refuses (e.g. not connected).
    void shutdown_send();

    /// Closes the connection at once; pending operations complete with operation_aborted.
    /// Unread buffered messages are discarded (and unread bytes in the kernel make it send
    /// a reset). The client may connect again afterwards. Idempotent.
    void close() noexcept;

    void set_max_message_size(std::size_t bytes) noexcept;
    std::size_t max_message_size() const noexcept;

    class Impl;

private:
    std::shared_ptr<Impl> impl_;
};

} // namespace switchboard
