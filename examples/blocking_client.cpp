// The blocking client: plain function calls, each bounded by a timeout, no Asio in sight.
#include <switchboard/blocking_client.hpp>
#include <switchboard/server.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>
#include <thread>

int main() {
    using namespace std::chrono_literals;

    // Something to talk to: a server on a thread of its own (usually a running switchboard).
    boost::asio::io_context io{1};
    switchboard::Config config;
    config.port = 0;
    config.log_level = switchboard::LogLevel::warning;
    switchboard::Server server{io, config};
    server.start();
    const std::uint16_t port = server.port();
    std::thread server_thread([&io] { io.run(); });

    int exit_code = 1;
    try {
        switchboard::BlockingClient a;
        switchboard::BlockingClient b;
        a.connect("127.0.0.1", port, 2s);
        const switchboard::PeerId b_id = b.connect("127.0.0.1", port, 2s);

        a.send(b_id, "ping");
        if (const std::optional<std::string> message = b.receive(2s)) {
            std::cout << "b received: " << *message << '\n';
            exit_code = 0;
        }
        // A timeout is an empty optional, not an error; the connection stays usable.
        if (!b.receive(100ms))
            std::cout << "b: nothing more within 100 ms\n";
    } catch (const std::exception& e) { // system_error: refused, timed out, closed...
        std::cerr << e.what() << '\n';
        exit_code = 1;
    }

    server.stop(); // thread-safe; io.run() returns on the server thread once it has stopped
    server_thread.join();
    return exit_code;
}
