// Helpers for the reliability tests, on top of the integration harness (TestServer,
// TestClient): background senders that are always joined, scope guards that unblock them on
// a failed assertion, many lightweight connections for the scale test, and a model of the
// frame parser to predict what the server makes of a stream of garbage.
#pragma once

#include "test_client.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace switchboard::reliability {

/// Runs `body` on its own thread. Catch2 assertions are not thread-safe, so the body reports
/// through exceptions (TestClient throws TestFailure): the first one is kept for `error()`.
/// The destructor joins, so a thread never outlives its test; whatever may block the body
/// (a send to a consumer that never reads) must be unblocked by a ScopeExit declared *after*
/// the Worker, which therefore runs first when the test ends or fails.
class Worker {
public:
    Worker(std::string name, std::function<void()> body);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// True once the body has returned or thrown.
    bool finished() const noexcept { return finished_.load(); }
    /// Waits for the body to end. Idempotent.
    void join();
    /// After join(): "" when the body returned normally, else "<name>: <what>".
    const std::string& error() const noexcept { return error_; }

private:
    std::string name_;
    std::atomic<bool> finished_{false};
    std::string error_;
    std::thread thread_;
};

/// Runs `action` when the scope ends, including during unwinding from a failed REQUIRE.
class ScopeExit {
public:
    explicit ScopeExit(std::function<void()> action)
        : action_(std::move(action)) {}
    ~ScopeExit() {
        if (action_)
            action_();
    }
    ScopeExit(const ScopeExit&) = delete;
    ScopeExit& operator=(const ScopeExit&) = delete;

private:
    std::function<void()> action_;
};

/// Payload `index` of a numbered stream: "<tag> <index> " then filler bytes derived from the
/// index, `size` bytes in all (at least the prefix). Misordered, duplicated, truncated or
/// mixed payloads all compare unequal to the expected one.
std::string numbered_payload(std::string_view tag, std::size_t index, std::size_t size);

/// Sends frames to `destination` from `client` until `total_bytes` of payload are sent or
/// `stop` is set (checked between frames); each payload is numbered_payload(tag, i, frame).
/// Returns the number of frames sent.
std::size_t send_numbered_frames(test::TestClient& client, PeerId destination, std::string_view tag,
                                 std::size_t frame_size, std::size_t total_bytes,
                                 const std::atomic<bool>& stop);

/// Like TestClient::send_raw, but a failure of the connection (the server disconnected the
/// client, which is the point of some tests) ends the send quietly: returns false then.
bool send_until_disconnected(test::TestClient& client, std::string_view bytes);

/// How long `f` takes.
template <typename F>
std::chrono::milliseconds time_of(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    std::forward<F>(f)();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
}

// --- many connections

/// An owned socket descriptor.
class Socket {
public:
    Socket() = default;
    explicit Socket(int fd) noexcept
        : fd_(fd) {}
    ~Socket() { close(); }
    Socket(Socket&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&& other) noexcept {
        if (this != &other) {
            close();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    int fd() const noexcept { return fd_; }
    void close() noexcept;

private:
    int fd_ = -1;
};

struct Connection {
    Socket socket;
    PeerId id = 0;
};

/// Opens `count` connections to 127.0.0.1:`port` and reads each one's ID, with at most
/// `in_flight` connects pending at a time (a full listen backlog makes connects retry their
/// SYN after a second). A TestClient buffers up to 256 KiB per connection; these hold only a
/// descriptor. Throws test::TestFailure if one fails or all take longer than `timeout`.
std::vector<Connection> open_connections(std::uint16_t port, std::size_t count,
                                         std::size_t in_flight, std::chrono::milliseconds timeout);

/// Raises the soft RLIMIT_NOFILE to the hard limit. Returns {soft before, soft now}.
std::pair<std::uint64_t, std::uint64_t> raise_open_files_limit();
/// Sets the soft RLIMIT_NOFILE.
void set_open_files_limit(std::uint64_t soft);

// --- a model of the server's frame parser

/// What the server should make of a byte stream from one client.
struct StreamModel {
    std::vector<PeerId> destinations; ///< of every complete frame, in order
    bool too_large = false;           ///< max_frame bytes arrived without a terminator
    std::size_t partial = 0;          ///< bytes of an unfinished frame at the end
};

/// Splits `bytes` as docs/protocol.md says: 4 header bytes (any values), then payload up to the
/// first 0x00; a frame of more than `max_frame` bytes (header and terminator counted) ends
/// the stream once `max_frame` bytes of it have arrived.
StreamModel model_stream(std::string_view bytes, std::size_t max_frame);

} // namespace switchboard::reliability
