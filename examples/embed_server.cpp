// Embedding the server: it runs on your io_context, on your thread; another thread uses it
// through a client, then stops it gracefully.
#include <switchboard/blocking_client.hpp>
#include <switchboard/server.hpp>

#include <boost/asio/io_context.hpp>

#include <exception>
#include <iostream>
#include <thread>

int main() {
    boost::asio::io_context io{1}; // declared first: the server's coroutines run on it

    switchboard::Config config; // every limit of docs/protocol.md, with its default
    config.port = 0;            // any free port; server.port() says which
    config.log_level = switchboard::LogLevel::warning;
    switchboard::Server server{io, config}; // throws std::invalid_argument for a bad config
    server.start();                         // binds now; throws if it cannot
    const std::uint16_t port = server.port();

    bool ok = false;
    std::thread user([&server, &ok, port] {
        try {
            switchboard::BlockingClient client;
            const switchboard::PeerId me = client.connect("127.0.0.1", port);
            client.send(me, "hello, me");
            const std::optional<std::string> message = client.receive();
            ok = message == "hello, me";
            std::cout << "received: " << message.value_or("(nothing)") << '\n';
        } catch (const std::exception& e) {
            std::cerr << "client: " << e.what() << '\n';
        }
        // stop() (like stats() and abort()) may be called from any thread. The callback runs
        // on the io_context's thread once every connection is flushed and closed.
        server.stop([] { std::cout << "server stopped\n"; });
    });

    io.run(); // serves until the server has stopped
    user.join();
    std::cout << server.stats().frames_routed << " frame(s) routed\n";
    return ok ? 0 : 1;
}
