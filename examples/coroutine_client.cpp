// The coroutine client: two clients and the server they talk through, all on one
// io_context and one thread.
#include <switchboard/client.hpp>
#include <switchboard/server.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <iostream>
#include <stdexcept>

namespace asio = boost::asio;

asio::awaitable<void> chat(std::uint16_t port) {
    const auto executor = co_await asio::this_coro::executor;
    switchboard::Client alice{executor};
    switchboard::Client bob{executor};
    co_await alice.connect("127.0.0.1", port);
    const switchboard::PeerId bob_id = co_await bob.connect("localhost", port); // names resolve

    co_await alice.send(bob_id, "hello, bob");
    std::cout << "bob received: " << co_await bob.receive() << '\n'; // without the 0x00

    try { // 0x00 terminates frames, so it cannot be sent: rejected before anything is written
        co_await alice.send(bob_id, std::string_view("a\0b", 3));
    } catch (const std::invalid_argument& e) {
        std::cout << "rejected: " << e.what() << '\n';
    }

    // A graceful goodbye: half-close; the server delivers what bob sent and what is queued to
    // him, then closes, which receive() reports as eof.
    bob.shutdown_send();
    try {
        for (;;)
            std::cout << "bob received: " << co_await bob.receive() << '\n';
    } catch (const boost::system::system_error& e) {
        if (e.code() != asio::error::eof)
            throw;
        std::cout << "bob: the server closed the connection\n";
    }
}

int main() {
    asio::io_context io{1};
    switchboard::Config config;
    config.port = 0;
    config.log_level = switchboard::LogLevel::warning;
    switchboard::Server server{io, config};
    server.start();

    int exit_code = 0;
    // Not asio::detached, which would swallow an exception: report it.
    asio::co_spawn(io, chat(server.port()), [&](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "chat: " << e.what() << '\n';
            }
            exit_code = 1;
        }
        server.stop(); // graceful: io.run() returns once everything is flushed and closed
    });
    io.run();
    return exit_code;
}
