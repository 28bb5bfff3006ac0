#include "reliability_support.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace switchboard::reliability {

using test::TestFailure;

Worker::Worker(std::string name, std::function<void()> body)
    : name_(std::move(name)) {
    thread_ = std::thread([this, body = std::move(body)] {
        try {
            body();
        } catch (const std::exception& e) {
            error_ = name_ + ": " + e.what();
        } catch (...) {
            error_ = name_ + ": unknown exception";
        }
        finished_.store(true);
    });
}

Worker::~Worker() {
    join();
}

void Worker::join() {
    if (thread_.joinable())
        thread_.join();
}

std::string numbered_payload(std::string_view tag, std::size_t index, std::size_t size) {
    std::string out(tag);
    out += ' ';
    out += std::to_string(index);
    out += ' ';
    const std::size_t prefix = out.size();
    if (size > prefix) {
        out.resize(size);
        for (std::size_t i = prefix; i < size; ++i)
            out[i] = static_cast<char>('A' + (index + i) % 26); // never 0x00
    }
    return out;
}

std::size_t send_numbered_frames(test::TestClient& client, PeerId destination, std::string_view tag,
                                 std::size_t frame_size, std::size_t total_bytes,
                                 const std::atomic<bool>& stop) {
    std::size_t sent = 0;
    for (std::size_t bytes = 0; bytes < total_bytes && !stop.load(); bytes += frame_size)
        client.send_frame(destination, numbered_payload(tag, sent++, frame_size));
    return sent;
}

bool send_until_disconnected(test::TestClient& client, std::string_view bytes) {
    try {
        client.send_raw(bytes);
        return true;
    } catch (const TestFailure& e) {
        // A timeout is not a disconnect: the server neither read nor closed.
        if (std::string_view(e.what()).find("timed out") != std::string_view::npos)
            throw;
        return false;
    }
}

void Socket::close() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

namespace {

std::string errno_text(int error) {
    return std::string(std::strerror(error)) + " (errno " + std::to_string(error) + ")";
}

/// Starts a non-blocking connect to 127.0.0.1:port.
Socket start_connect(std::uint16_t port) {
    Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (socket.fd() < 0)
        throw TestFailure("socket() failed: " + errno_text(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(socket.fd(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS)
        throw TestFailure("connect() failed: " + errno_text(errno));
    return socket;
}

} // namespace

std::vector<Connection> open_connections(std::uint16_t port, std::size_t count,
                                         std::size_t in_flight, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<Connection> out;
    out.reserve(count);
    while (out.size() < count) {
        // One batch: start the connects, then read the IDs as they arrive (an ID proves the
        // connection was accepted, which frees its place in the listen backlog).
        const std::size_t first = out.size();
        const std::size_t batch = std::min(in_flight, count - first);
        for (std::size_t i = 0; i < batch; ++i)
            out.push_back({start_connect(port), 0});
        std::vector<std::array<unsigned char, 4>> bytes(batch);
        std::vector<std::size_t> have(batch, 0);
        std::size_t pending = batch;
        std::vector<pollfd> fds;
        std::vector<std::size_t> which;
        while (pending > 0) {
            fds.clear();
            which.clear();
            for (std::size_t i = 0; i < batch; ++i) {
                if (have[i] < 4) {
                    fds.push_back({out[first + i].socket.fd(), POLLIN, 0});
                    which.push_back(i);
                }
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                throw TestFailure("open_connections: timed out with " +
                                  std::to_string(first + batch - pending) + " of " +
                                  std::to_string(count) + " IDs read");
            const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
            if (ready < 0 && errno != EINTR)
                throw TestFailure("open_connections: poll failed: " + errno_text(errno));
            for (std::size_t k = 0; ready > 0 && k < fds.size(); ++k) {
                if (fds[k].revents == 0)
                    continue;
                const std::size_t i = which[k];
                const ssize_t n =
                    ::recv(fds[k].fd, bytes[i].data() + have[i], 4 - have[i], MSG_DONTWAIT);
                if (n > 0) {
                    have[i] += static_cast<std::size_t>(n);
                    if (have[i] == 4) {
                        out[first + i].id = (PeerId(bytes[i][0]) << 24) |
                                            (PeerId(bytes[i][1]) << 16) |
                                            (PeerId(bytes[i][2]) << 8) | PeerId(bytes[i][3]);
                        --pending;
                    }
                } else if (n == 0) {
                    throw TestFailure("open_connections: connection " + std::to_string(first + i) +
                                      " closed before its ID");
                } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    throw TestFailure("open_connections: connection " + std::to_string(first + i) +
                                      ": " + errno_text(errno));
                }
            }
        }
    }
    return out;
}

std::pair<std::uint64_t, std::uint64_t> raise_open_files_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return {0, 0};
    const std::uint64_t before = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
        return {before, before};
    return {before, limit.rlim_cur};
}

void set_open_files_limit(std::uint64_t soft) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    limit.rlim_cur = static_cast<rlim_t>(soft);
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

StreamModel model_stream(std::string_view bytes, std::size_t max_frame) {
    StreamModel model;
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::size_t left = bytes.size() - at;
        if (left < protocol::id_size) {
            model.partial = left;
            break;
        }
        // The terminator is the first 0x00 after the header, within max_frame bytes.
        const std::size_t search_end = std::min(left, max_frame);
        const std::size_t terminator = bytes.substr(at, search_end).find('\0', protocol::id_size);
        if (terminator == std::string_view::npos) {
            if (left >= max_frame)
                model.too_large = true;
            else
                model.partial = left;
            break;
        }
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
        model.destinations.push_back((PeerId(p[0]) << 24) | (PeerId(p[1]) << 16) |
                                     (PeerId(p[2]) << 8) | PeerId(p[3]));
        at += terminator + 1;
    }
    return model;
}

} // namespace switchboard::reliability
