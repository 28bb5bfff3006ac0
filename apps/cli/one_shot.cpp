#include "one_shot.hpp"

#include "format.hpp"
#include "output.hpp"

#include <switchboard/blocking_client.hpp>
#include <switchboard/units.hpp>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace switchboard::cli {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
    return std::max(std::chrono::milliseconds::zero(),
                    std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()));
}

/// Leaves without losing what we sent: half-close, then read until the server's EOF, which
/// comes once it has taken our frames and flushed what was queued to us (discarded here).
void leave(BlockingClient& client, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    try {
        client.shutdown_send();
        while (client.receive(left_until(deadline))) {
        }
    } catch (const boost::system::system_error&) {
        // eof is the expected end; anything else: the frames already sent are the server's.
    }
    client.close();
}

} // namespace

int run_one_shot(const Options& options) {
    const std::string address = apps::format_host_port(options.server);
    BlockingClient client;
    try {
        const PeerId id = client.connect(options.server.host, options.server.port, options.timeout);
        print_line("id " + format_peer_id(id));
    } catch (const boost::system::system_error& e) {
        print_error("cannot connect to " + address + ": " + e.code().message());
        return 1;
    }

    try {
        if (options.to) {
            client.send(*options.to, *options.message, options.timeout);
        }
        const auto deadline = Clock::now() + options.timeout;
        for (std::size_t received = 0; received < options.wait; ++received) {
            const auto message = client.receive(left_until(deadline));
            if (!message) {
                print_error("timed out after " + format_duration(options.timeout) + " with " +
                            std::to_string(received) + " of " + std::to_string(options.wait) +
                            " messages received");
                return 1;
            }
            print_line(format_received(*message, options.hex));
        }
    } catch (const boost::system::system_error& e) {
        if (e.code() == boost::asio::error::eof)
            print_error("the server closed the connection");
        else if (e.code() == boost::asio::error::timed_out)
            print_error("sending timed out after " + format_duration(options.timeout) +
                        " (the server holds back senders to a destination that does not read)");
        else
            print_error("connection to " + address + " failed: " + e.code().message());
        return 1;
    }
    leave(client, options.timeout);
    return 0;
}

} // namespace switchboard::cli
