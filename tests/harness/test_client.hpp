// A blocking-style test client on a plain POSIX TCP socket (no Asio: keeps test compile times
// low and keeps the client independent of the code under test).
//
// Every operation that can wait is bounded by a timeout (poll()), and a timeout or an
// unexpected outcome throws TestFailure with a message naming the client, the operation and
// what was seen, so a broken server fails the test instead of hanging it. TestFailure is an
// exception rather than a Catch2 assertion so that the client may be used from any thread
// (Catch2 assertions are not thread-safe); Catch2 reports it with its message.
//
// Reads are buffered: the client reads in large chunks and keeps the leftovers, so reading
// many small messages costs few system calls.
#pragma once

#include <switchboard/protocol.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace switchboard::test {

/// Thrown by the test harness when an expectation about the server cannot be met.
class TestFailure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::chrono::milliseconds default_io_timeout{5'000};

class TestClient {
public:
    /// Connects to 127.0.0.1:`port` (throws TestFailure when it cannot). `name` appears in
    /// failure messages.
    explicit TestClient(std::uint16_t port, std::string name = "client",
                        std::chrono::milliseconds timeout = default_io_timeout);
    ~TestClient();
    TestClient(TestClient&& other) noexcept;
    TestClient& operator=(TestClient&& other) noexcept;
    TestClient(const TestClient&) = delete;
    TestClient& operator=(const TestClient&) = delete;

    const std::string& name() const noexcept { return name_; }
    bool is_open() const noexcept { return fd_ >= 0; }
    /// Timeout for every later blocking operation.
    void set_timeout(std::chrono::milliseconds timeout) noexcept { timeout_ = timeout; }

    /// Reads the 4-byte big-endian ID the server sends first. Also remembered as `id()`.
    PeerId read_id();
    /// The ID read by read_id() (0 before).
    PeerId id() const noexcept { return id_; }

    /// Sends one frame `[dest][payload][0x00]` (payload must not contain 0x00).
    void send_frame(PeerId destination, std::string_view payload);
    /// Sends bytes exactly as given, all of them (one send() call when the kernel takes them).
    void send_raw(std::string_view bytes);

    /// Reads one delivered message: the bytes up to the next 0x00, which is consumed too.
    /// Returns the payload WITHOUT its terminator.
    std::string receive_payload();
    /// Like receive_payload, but a clean EOF before the first byte of a message ends the
    /// stream: returns false then (and `payload` is untouched). EOF inside a message, a
    /// reset or a timeout still throw.
    bool try_receive_payload(std::string& payload);
    /// Reads exactly `n` bytes.
    std::string read_exact(std::size_t n);

    /// Expects the server to close the connection cleanly (FIN) with nothing more to read:
    /// fails when data arrives, on a reset, or on timeout.
    void expect_eof();
    /// Expects the connection to end, by FIN or by reset, with nothing more to read.
    void expect_closed_or_reset();
    /// Expects no data to be readable now (buffered or in the kernel). Does not wait.
    void expect_nothing_pending();

    /// Half-close: shutdown(SHUT_WR), the server sees EOF; reading still works.
    void shutdown_write();
    /// Orderly close (FIN, or a reset if unread data is left in the kernel).
    void close() noexcept;
    /// Abortive close: SO_LINGER {1, 0} then close(), which sends a reset (RST).
    void reset() noexcept;

private:
    enum class Fill { data, eof, reset };
    /// Waits for readable data and appends it to the buffer.
    Fill fill(std::chrono::steady_clock::time_point deadline, const char* what);
    void wait_for(short events, std::chrono::steady_clock::time_point deadline, const char* what);
    std::chrono::steady_clock::time_point deadline() const {
        return std::chrono::steady_clock::now() + timeout_;
    }
    void require_open(const char* what) const;
    [[noreturn]] void fail(const std::string& message) const;
    std::size_t buffered() const noexcept { return buffer_.size() - read_pos_; }
    std::string take(std::size_t n);

    int fd_ = -1;
    std::string name_;
    std::chrono::milliseconds timeout_;
    PeerId id_ = 0;
    std::string buffer_;       ///< bytes read from the socket ...
    std::size_t read_pos_ = 0; ///< ... of which those before read_pos_ were consumed
    std::size_t scan_pos_ = 0; ///< receive_payload: no 0x00 in [read_pos_, scan_pos_)
};

/// Encodes a frame (forwarding to protocol::encode_frame, for brevity in tests).
std::string frame(PeerId destination, std::string_view payload);

/// A string of `size` pseudo-random non-zero bytes, reproducible from `seed`.
std::string random_payload(std::size_t size, std::uint32_t seed);

} // namespace switchboard::test
