#include "test_client.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>
#include <utility>

namespace switchboard::test {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t read_chunk = 256 * 1024;

std::string errno_text(int error) {
    return std::string(std::strerror(error)) + " (errno " + std::to_string(error) + ")";
}

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

std::string printable(std::string_view bytes, std::size_t limit = 64) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    if (bytes.size() > limit)
        out += "... (" + std::to_string(bytes.size()) + " bytes)";
    return out;
}

} // namespace

TestClient::TestClient(std::uint16_t port, std::string name, std::chrono::milliseconds timeout)
    : name_(std::move(name))
    , timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        fail("socket() failed: " + errno_text(errno));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // each send() a segment

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) {
            const int error = errno;
            close();
            fail("connect to 127.0.0.1:" + std::to_string(port) + " failed: " + errno_text(error));
        }
        try {
            wait_for(POLLOUT, deadline(), "connect");
        } catch (...) {
            close();
            throw;
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            close();
            fail("connect to 127.0.0.1:" + std::to_string(port) + " failed: " + errno_text(error));
        }
    }
}

TestClient::~TestClient() {
    close();
}

TestClient::TestClient(TestClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , name_(std::move(other.name_))
    , timeout_(other.timeout_)
    , id_(other.id_)
    , buffer_(std::move(other.buffer_))
    , read_pos_(other.read_pos_)
    , scan_pos_(other.scan_pos_) {}

TestClient& TestClient::operator=(TestClient&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        name_ = std::move(other.name_);
        timeout_ = other.timeout_;
        id_ = other.id_;
        buffer_ = std::move(other.buffer_);
        read_pos_ = other.read_pos_;
        scan_pos_ = other.scan_pos_;
    }
    return *this;
}

void TestClient::fail(const std::string& message) const {
    throw TestFailure(name_ + ": " + message);
}

void TestClient::require_open(const char* what) const {
    if (fd_ < 0)
        fail(std::string(what) + " on a closed client");
}

void TestClient::wait_for(short events, Clock::time_point deadline, const char* what) {
    for (;;) {
        pollfd p{fd_, events, 0};
        const int ready = ::poll(&p, 1, remaining_ms(deadline));
        if (ready > 0)
            return; // readable/writable, or an error/hang-up the next call will report
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            fail(std::string(what) + ": poll failed: " + errno_text(errno));
        fail(std::string(what) + ": timed out after " + std::to_string(timeout_.count()) + " ms (" +
             std::to_string(buffered()) + " unconsumed bytes buffered: " +
             printable(std::string_view(buffer_).substr(read_pos_)) + ")");
    }
}

TestClient::Fill TestClient::fill(Clock::time_point deadline, const char* what) {
    require_open(what);
    // Compact: keep the buffer from growing without bound while messages are consumed.
    if (read_pos_ > 0 && (read_pos_ == buffer_.size() || read_pos_ >= read_chunk)) {
        buffer_.erase(0, read_pos_);
        scan_pos_ -= std::min(scan_pos_, read_pos_);
        read_pos_ = 0;
    }
    for (;;) {
        const std::size_t old_size = buffer_.size();
        buffer_.resize(old_size + read_chunk);
        const ssize_t n = ::recv(fd_, buffer_.data() + old_size, read_chunk, 0);
        const int error = errno;
        buffer_.resize(old_size + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0)
            return Fill::data;
        if (n == 0)
            return Fill::eof;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            wait_for(POLLIN, deadline, what);
            continue;
        }
        if (error == EINTR)
            continue;
        if (error == ECONNRESET)
            return Fill::reset;
        fail(std::string(what) + ": recv failed: " + errno_text(error));
    }
}

std::string TestClient::take(std::size_t n) {
    std::string out = buffer_.substr(read_pos_, n);
    read_pos_ += n;
    scan_pos_ = std::max(scan_pos_, read_pos_);
    return out;
}

PeerId TestClient::read_id() {
    const std::string bytes = read_exact(protocol::id_size);
    std::array<std::byte, 4> raw;
    std::memcpy(raw.data(), bytes.data(), raw.size());
    id_ = protocol::load_u32(raw);
    return id_;
}

void TestClient::send_frame(PeerId destination, std::string_view payload) {
    if (payload.find('\0') != std::string_view::npos)
        fail("send_frame: the payload contains 0x00 (use send_raw for malformed input)");
    send_raw(frame(destination, payload));
}

void TestClient::send_raw(std::string_view bytes) {
    require_open("send");
    const auto until = deadline();
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        const int error = errno;
        if (error == EINTR)
            continue;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            wait_for(POLLOUT, until, "send (the server is not reading)");
            continue;
        }
        fail("send failed with " + std::to_string(bytes.size()) +
             " bytes left: " + errno_text(error));
    }
}

std::string TestClient::receive_payload() {
    std::string payload;
    if (!try_receive_payload(payload))
        fail("receive_payload: connection closed (EOF) before a message began");
    return payload;
}

bool TestClient::try_receive_payload(std::string& payload) {
    const auto until = deadline();
    for (;;) {
        const std::size_t at = buffer_.find('\0', std::max(scan_pos_, read_pos_));
        if (at != std::string::npos) {
            payload = take(at - read_pos_);
            ++read_pos_; // the terminator
            scan_pos_ = read_pos_;
            return true;
        }
        scan_pos_ = buffer_.size();
        switch (fill(until, "receive_payload")) {
        case Fill::data:
            break;
        case Fill::eof:
            if (buffered() == 0)
                return false;
            fail("receive_payload: connection closed (EOF) with " + std::to_string(buffered()) +
                 " bytes of an unterminated message buffered");
        case Fill::reset:
            fail("receive_payload: connection reset with " + std::to_string(buffered()) +
                 " bytes of an unterminated message buffered");
        }
    }
}

std::string TestClient::read_exact(std::size_t n) {
    const auto until = deadline();
    while (buffered() < n) {
        switch (fill(until, "read_exact")) {
        case Fill::data:
            break;
        case Fill::eof:
            fail("read_exact(" + std::to_string(n) + "): connection closed (EOF) after " +
                 std::to_string(buffered()) + " bytes");
        case Fill::reset:
            fail("read_exact(" + std::to_string(n) + "): connection reset after " +
                 std::to_string(buffered()) + " bytes");
        }
    }
    return take(n);
}

void TestClient::expect_eof() {
    if (buffered() > 0)
        fail("expected EOF, but unread data is buffered: " +
             printable(std::string_view(buffer_).substr(read_pos_)));
    switch (fill(deadline(), "expect_eof")) {
    case Fill::eof:
        return;
    case Fill::data:
        fail("expected EOF, but received: " +
             printable(std::string_view(buffer_).substr(read_pos_)));
    case Fill::reset:
        fail("expected EOF (FIN), but the connection was reset");
    }
}

void TestClient::expect_closed_or_reset() {
    if (buffered() > 0)
        fail("expected the connection to close, but unread data is buffered: " +
             printable(std::string_view(buffer_).substr(read_pos_)));
    if (fill(deadline(), "expect_closed_or_reset") == Fill::data)
        fail("expected the connection to close, but received: " +
             printable(std::string_view(buffer_).substr(read_pos_)));
}

void TestClient::expect_nothing_pending() {
    require_open("expect_nothing_pending");
    if (buffered() > 0)
        fail("expected nothing to read, but data is buffered: " +
             printable(std::string_view(buffer_).substr(read_pos_)));
    char byte;
    const ssize_t n = ::recv(fd_, &byte, 1, MSG_PEEK);
    if (n > 0)
        fail("expected nothing to read, but data is waiting in the socket");
    if (n == 0)
        fail("expected nothing to read, but the connection is closed (EOF)");
    if (errno != EAGAIN && errno != EWOULDBLOCK)
        fail("expected nothing to read, but recv failed: " + errno_text(errno));
}

void TestClient::shutdown_write() {
    require_open("shutdown_write");
    if (::shutdown(fd_, SHUT_WR) != 0)
        fail("shutdown(SHUT_WR) failed: " + errno_text(errno));
}

void TestClient::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

void TestClient::reset() noexcept {
    if (fd_ >= 0) {
        const linger abortive{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
        close();
    }
}

std::string frame(PeerId destination, std::string_view payload) {
    return protocol::encode_frame(destination, payload);
}

std::string random_payload(std::size_t size, std::uint32_t seed) {
    std::mt19937 random(seed);
    std::uniform_int_distribution<int> byte(1, 255);
    std::string out(size, '\0');
    for (char& c : out)
        c = static_cast<char>(static_cast<unsigned char>(byte(random)));
    return out;
}

} // namespace switchboard::test
