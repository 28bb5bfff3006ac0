// The `switchboard` command-line server: one io_context on one thread, one Server, and
// signal handling that turns SIGINT/SIGTERM into a graceful drain (a second one aborts).
#include "command_line.hpp"
#include "open_files.hpp"

#include <switchboard/run_loop.hpp>
#include <switchboard/units.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    using namespace switchboard;
    const apps::server::CommandLine command_line = apps::server::parse_command_line(argc, argv);
    if (command_line.action == apps::server::CommandLine::Action::print_and_exit)
        return command_line.print(std::cout, std::cerr);
    const apps::server::ServerOptions& options = command_line.options;
    const Config& config = options.config;
    const Logger log(config.log_level, config.log_sink);

    try {
        const auto capacity = apps::raise_open_files_limit();
        log.info("open files limit ", capacity, " (", config.max_connections,
                 " connections allowed)");
        if (capacity < config.max_connections + 16)
            log.warning("the open files limit (", capacity,
                        ") is below max_connections; accepts will fail with EMFILE before "
                        "the connection limit is reached");

        // Concurrency hint 1: one thread runs this context, so Asio can skip some locking.
        boost::asio::io_context io(1);
        const auto server = lab::make_server(io, config, options.lab);
        server->start();

        boost::asio::signal_set signals(io, SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int signal) {
            if (ec)
                return;
            log.info("received signal ", signal, ": draining (send it again to stop at once)");
            server->stop([&] { signals.cancel(); });
            signals.async_wait([&](boost::system::error_code ec2, int) {
                if (ec2)
                    return;
                log.warning("second signal: stopping at once");
                server->abort();
            });
        });
        // A pool model serves on threads of its own: this thread only waits for the stop.
        const bool pool = lab::has_thread_pool(options.lab.model);
        if (!pool && options.busy_poll.count() > 0)
            log.info("busy-polling for ", options.busy_poll.count(),
                     "us after the last event before sleeping");
        run_polling(io, pool ? std::chrono::microseconds(0) : options.busy_poll);
        return 0;
    } catch (const std::exception& e) {
        log.error(e.what());
        return 1;
    }
}
