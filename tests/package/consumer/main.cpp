// Uses the installed switchboard package end to end: start a server on an ephemeral port,
// connect a plain TCP client, read the ID it is given, send one frame to itself and expect
// it back; then the same with the library's BlockingClient. Exits 0 on success, 1 with a
// message on stderr otherwise. Every wait is bounded.
#include <switchboard/blocking_client.hpp>
#include <switchboard/client.hpp>
#include <switchboard/config.hpp>
#include <switchboard/protocol.hpp>
#include <switchboard/server.hpp>
#include <switchboard/version.hpp>

#include <boost/asio/io_context.hpp>

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <future>
#include <iostream>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace {

constexpr int io_timeout_ms = 10'000;
constexpr auto stop_timeout = std::chrono::seconds(15);
// Last resort if something blocks outside the bounded waits: SIGALRM ends the process.
constexpr unsigned watchdog_seconds = 45;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

class Client {
public:
    explicit Client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0)
            fail(errno_text("socket"));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        // Loopback connects complete or fail at once; no timeout needed.
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
            fail(errno_text("connect"));
    }
    ~Client() { close(); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    void close() noexcept {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

    void send_all(std::string_view bytes) {
        while (!bytes.empty()) {
            wait_for(POLLOUT, "send");
            const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                fail(errno_text("send"));
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    std::string receive_exactly(std::size_t count) {
        std::string out(count, '\0');
        std::size_t have = 0;
        while (have < count) {
            wait_for(POLLIN, "receive");
            const ssize_t n = ::recv(fd_, out.data() + have, count - have, 0);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                fail(errno_text("recv"));
            }
            if (n == 0)
                fail("the server closed the connection after " + std::to_string(have) + " of " +
                     std::to_string(count) + " expected bytes");
            have += static_cast<std::size_t>(n);
        }
        return out;
    }

private:
    void wait_for(short events, const char* what) {
        pollfd p{fd_, events, 0};
        for (;;) {
            const int ready = ::poll(&p, 1, io_timeout_ms);
            if (ready > 0)
                return;
            if (ready == 0)
                fail(std::string("timed out waiting to ") + what);
            if (errno != EINTR)
                fail(errno_text("poll"));
        }
    }

    int fd_ = -1;
};

std::string hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 0xF];
        out += ' ';
    }
    return out;
}

void exchange(std::uint16_t port) {
    Client client(port);

    const std::string id_bytes = client.receive_exactly(switchboard::protocol::id_size);
    const switchboard::PeerId id = switchboard::protocol::load_u32(
        std::span<const std::byte, 4>(reinterpret_cast<const std::byte*>(id_bytes.data()), 4));
    if (!switchboard::protocol::is_assignable(id))
        fail("the server handed out a reserved id: " + hex(id_bytes));
    std::cout << "consumer: connected as id " << id << '\n';

    client.send_all(switchboard::protocol::encode_frame(id, "ping"));
    const std::string expected("ping\0", 5);
    const std::string got = client.receive_exactly(expected.size());
    if (got != expected)
        fail("expected " + hex(expected) + "but received " + hex(got));
    std::cout << "consumer: received its own ping\n";
}

// The installed client library: the blocking client round trip, and the coroutine client's
// header (the one public header that includes Asio) usable as installed.
static_assert(std::is_constructible_v<switchboard::Client, boost::asio::any_io_executor>);

void exchange_with_library_client(std::uint16_t port) {
    switchboard::BlockingClient client;
    const auto timeout = std::chrono::milliseconds(io_timeout_ms);
    const switchboard::PeerId id = client.connect("127.0.0.1", port, timeout);
    client.send(id, "pong");
    const std::optional<std::string> got = client.receive(timeout);
    if (got != "pong")
        fail("the blocking client did not receive its own pong");
    std::cout << "consumer: the blocking client received its own pong\n";
}

int run() {
    std::cout << "consumer: switchboard " << switchboard::version << ", protocol "
              << switchboard::protocol_version << '\n';
#ifdef SWITCHBOARD_EXPECTED_VERSION
    if (std::string_view(switchboard::version) != SWITCHBOARD_EXPECTED_VERSION)
        fail(std::string("version.hpp says ") + switchboard::version + ", the package says " +
             SWITCHBOARD_EXPECTED_VERSION);
#endif

    boost::asio::io_context io;
    switchboard::Config config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.drain_timeout = std::chrono::milliseconds(2'000);
    switchboard::Server server(io, config);
    server.start();
    std::cout << "consumer: server listening on " << server.local_address() << '\n';

    std::promise<void> stopped;
    std::exception_ptr run_error;
    std::thread runner([&] {
        try {
            io.run();
        } catch (...) {
            run_error = std::current_exception();
        }
    });

    std::string failure;
    try {
        exchange(server.port());
        exchange_with_library_client(server.port());
    } catch (const std::exception& e) {
        failure = e.what();
    }

    server.stop([&] { stopped.set_value(); });
    if (stopped.get_future().wait_for(stop_timeout) != std::future_status::ready) {
        if (failure.empty())
            failure = "the server did not report stopped within the time limit";
        io.stop();
    }
    runner.join();

    if (run_error) {
        try {
            std::rethrow_exception(run_error);
        } catch (const std::exception& e) {
            if (failure.empty())
                failure = std::string("io_context::run threw: ") + e.what();
        }
    }
    if (!failure.empty())
        fail(failure);
    std::cout << "consumer: server stopped; all good\n";
    return 0;
}

} // namespace

int main() {
    ::alarm(watchdog_seconds);
    try {
        return run();
    } catch (const std::exception& e) {
        std::cerr << "consumer: FAILED: " << e.what() << '\n';
        return 1;
    }
}
