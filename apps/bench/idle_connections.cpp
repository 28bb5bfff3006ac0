#include "idle_connections.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>

namespace switchboard::bench {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

struct Opening {
    IdleConnections& out;
    const tcp::endpoint server;
    const std::string name;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> opened{0};
    std::atomic<std::size_t> openers_left{0};
    std::vector<Clock::time_point> finished; // one per opener
    Failure failure;
};

/// Takes the next connection to open until there are none left (or one failed).
asio::awaitable<void> opener(Opening& opening, std::size_t index) {
    const std::size_t total = opening.out.sockets.size();
    try {
        for (std::size_t i = opening.next++; i < total && !opening.failure.failed();
             i = opening.next++) {
            Client client = co_await connect_client(opening.server, opening.name);
            opening.out.sockets[i].emplace(std::move(client.socket));
            opening.out.ids[i] = client.id;
            ++opening.opened;
        }
    } catch (const std::exception& e) {
        opening.failure.set(e.what());
    }
    opening.finished[index] = Clock::now();
    --opening.openers_left;
}

asio::awaitable<void> show_progress(Opening& opening, Progress& progress) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const std::string total = std::to_string(opening.out.sockets.size());
    while (opening.openers_left > 0) {
        progress.show("opening connections: " + std::to_string(opening.opened.load()) + "/" +
                      total);
        timer.expires_after(std::chrono::milliseconds(100));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    progress.clear();
}

} // namespace

IdleConnections open_idle_connections(Workers& workers, const Options& options,
                                      const tcp::endpoint& server, Progress& progress) {
    IdleConnections result;
    result.sockets.resize(options.connections);
    result.ids.resize(options.connections);
    const std::size_t openers = std::min(options.concurrency, options.connections);
    Opening opening{result, server, options.target(), {}, {}, {}, {}, {}};
    opening.openers_left = openers;
    opening.finished.resize(openers);

    if (openers == 0)
        return result;
    const auto start = Clock::now();
    for (std::size_t i = 0; i < openers; ++i)
        workers.spawn(i, opener(opening, i), opening.failure);
    if (progress.enabled())
        workers.spawn(0, show_progress(opening, progress), opening.failure);
    workers.run(opening.failure);
    opening.failure.rethrow_if_failed();
    const auto end = *std::max_element(opening.finished.begin(), opening.finished.end());
    result.elapsed_s = std::chrono::duration<double>(end - start).count();
    return result;
}

} // namespace switchboard::bench
