#include <switchboard/run_loop.hpp>

#include <boost/asio/io_context.hpp>

namespace switchboard {

std::size_t run_polling(boost::asio::io_context& io, std::chrono::microseconds spin) {
    if (spin.count() <= 0)
        return io.run();
    using Clock = std::chrono::steady_clock;
    std::size_t handlers = 0;
    auto last_work = Clock::now();
    while (!io.stopped()) {
        // poll() runs what is ready, the reactor included (epoll_wait with no timeout).
        if (const std::size_t n = io.poll(); n > 0) {
            handlers += n;
            last_work = Clock::now();
            continue;
        }
        if (Clock::now() - last_work < spin)
            continue;
        // Nothing for `spin`: sleep until the next event, as run() would.
        const std::size_t n = io.run_one();
        if (n == 0)
            break; // out of work, or stopped
        handlers += n;
        last_work = Clock::now();
    }
    return handlers;
}

} // namespace switchboard
