#include "interactive.hpp"

#include "command.hpp"
#include "format.hpp"
#include "line_reader.hpp"
#include "output.hpp"

#include <switchboard/client.hpp>
#include <switchboard/units.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>

#include <exception>
#include <stdexcept>
#include <unistd.h>

namespace switchboard::cli {

namespace asio = boost::asio;

namespace {

/// Two activities on one thread: the input loop (stdin → commands → send) and the receive
/// loop (server → stdout). Whichever ends the session stops the other: the input loop by
/// half-closing the connection (the server then closes it, which ends the receive loop), the
/// receive loop by cancelling the read of stdin. A watchdog bounds connecting and the final
/// wait for the server to close.
class Interactive {
public:
    explicit Interactive(const Options& options)
        : options_(options)
        , address_(apps::format_host_port(options.server)) {}

    int run() {
        asio::co_spawn(io_, session(), [this](std::exception_ptr error) { on_end(error); });
        io_.run();
        return exit_code_;
    }

private:
    asio::awaitable<void> session();
    asio::awaitable<void> receive_loop();
    asio::awaitable<void> input_loop();
    /// Runs one command; false when the session should end.
    asio::awaitable<bool> execute(const command::Command& command);
    /// We will send nothing more: half-close, and bound the wait for the server's EOF.
    void finish();
    void arm_watchdog();
    /// A coroutine ended with an exception nobody expected: report it and stop everything.
    void on_end(std::exception_ptr error);

    const Options& options_;
    const std::string address_;
    // The io_context first: everything below holds IO objects on it.
    asio::io_context io_{1};
    Client client_{io_.get_executor()};
    LineReader input_{io_.get_executor(), STDIN_FILENO};
    asio::steady_timer watchdog_{io_};
    bool watchdog_fired_ = false;
    bool connected_ = false;
    bool finishing_ = false;       ///< we half-closed: the server's EOF is expected
    bool connection_over_ = false; ///< the receive loop has ended
    int exit_code_ = 0;
};

void Interactive::arm_watchdog() {
    watchdog_.expires_after(options_.timeout);
    watchdog_.async_wait([this](boost::system::error_code ec) {
        // Re-check: the awaited operation may have finished while this completion was queued.
        if (ec || (connected_ && !finishing_) || connection_over_)
            return;
        watchdog_fired_ = true;
        client_.close(); // aborts the pending connect or receive
    });
}

asio::awaitable<void> Interactive::session() {
    try {
        arm_watchdog();
        const PeerId id = co_await client_.connect(options_.server.host, options_.server.port);
        connected_ = true;
        watchdog_.cancel();
        print_line("id " + format_peer_id(id));
    } catch (const boost::system::system_error& e) {
        watchdog_.cancel();
        const auto ec = watchdog_fired_ ? asio::error::timed_out : e.code();
        print_error("cannot connect to " + address_ + ": " + ec.message());
        exit_code_ = 1;
        co_return;
    }
    if (::isatty(STDIN_FILENO))
        std::cerr << "type 'help' for the commands\n";
    // Runs inline up to its first suspension, then alongside the input loop.
    asio::co_spawn(io_, receive_loop(), [this](std::exception_ptr error) { on_end(error); });
    co_await input_loop();
}

asio::awaitable<void> Interactive::receive_loop() {
    try {
        for (;;)
            print_line(format_received(co_await client_.receive(), options_.hex));
    } catch (const boost::system::system_error& e) {
        if (finishing_ && watchdog_fired_) {
            print_error("the server did not close the connection within " +
                        format_duration(options_.timeout) + "; leaving anyway");
        } else if (finishing_ && e.code() == asio::error::eof) {
            // The goodbye we asked for: everything queued to us was printed.
        } else if (e.code() == asio::error::eof) {
            print_error("the server closed the connection");
            exit_code_ = 1;
        } else {
            print_error("connection to " + address_ + " lost: " + e.code().message());
            exit_code_ = 1;
        }
    }
    connection_over_ = true;
    watchdog_.cancel();
    input_.cancel(); // nothing to send commands to any more
    client_.close();
}

asio::awaitable<void> Interactive::input_loop() {
    while (!connection_over_) {
        std::optional<std::string> line;
        try {
            line = co_await input_.next_line();
        } catch (const boost::system::system_error& e) {
            if (!connection_over_) {
                print_error(std::string("cannot read commands: ") + e.what());
                exit_code_ = 1;
            }
            break;
        } catch (const std::length_error& e) {
            print_error(e.what());
            exit_code_ = 1;
            break;
        }
        if (!line || !co_await execute(command::parse(*line)))
            break;
    }
    if (!connection_over_)
        finish();
}

asio::awaitable<bool> Interactive::execute(const command::Command& command) {
    if (const auto* send = std::get_if<command::Send>(&command)) {
        try {
            co_await client_.send(send->destination, send->text);
        } catch (const std::invalid_argument&) {
            print_error("cannot send a message that contains a 0x00 byte");
            co_return true;
        } catch (const boost::system::system_error& e) {
            if (!connection_over_) { // else the receive loop has said why
                print_error("send failed: " + e.code().message());
                exit_code_ = 1;
            }
            co_return false;
        }
        print_line("sent " + std::to_string(send->text.size()) + " bytes to " +
                   format_peer_id(send->destination));
    } else if (std::holds_alternative<command::ShowId>(command)) {
        print_line("id " + format_peer_id(client_.id()));
    } else if (std::holds_alternative<command::Help>(command)) {
        print_line(command::help_text);
    } else if (std::holds_alternative<command::Quit>(command)) {
        co_return false;
    } else if (const auto* invalid = std::get_if<command::Invalid>(&command)) {
        print_error(invalid->reason);
    }
    co_return true;
}

void Interactive::finish() {
    finishing_ = true;
    try {
        client_.shutdown_send();
    } catch (const boost::system::system_error&) {
        client_.close(); // already broken: the receive loop reports it
        return;
    }
    arm_watchdog();
}

void Interactive::on_end(std::exception_ptr error) {
    if (!error)
        return;
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        print_error(std::string("unexpected error: ") + e.what());
    } catch (...) {
        print_error("unexpected error");
    }
    exit_code_ = 1;
    connection_over_ = true;
    watchdog_.cancel();
    input_.cancel();
    client_.close();
}

} // namespace

int run_interactive(const Options& options) {
    Interactive session(options);
    return session.run();
}

} // namespace switchboard::cli
