// Running the one thread of a server: io_context::run(), or the same with a short busy-poll
// before every sleep.
//
// Why spin at all: on the machines measured (2-vCPU VMs), a thread that sleeps in epoll_wait
// and is woken by the other core's packet costs tens of microseconds per wake-up, which is
// most of a relay's round trip and a cap on its throughput when every window of messages
// waits for one. Polling for a short while after the last event keeps the thread awake
// under load, so the next packet finds it running; once nothing has happened for `spin`, it
// sleeps as io_context::run() would, so an idle server uses no CPU. docs/performance.md has
// the figures with and without it.
#pragma once

#include <chrono>
#include <cstddef>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace switchboard {

/// Like `io.run()` (returns when `io` runs out of work or is stopped; returns the number of
/// handlers run), but after the last handler that ran it keeps polling without blocking for
/// up to `spin` before it blocks for the next one. `spin` of zero is exactly `io.run()`.
/// Must be the only thread running `io`, as the single-task server requires anyway.
std::size_t run_polling(boost::asio::io_context& io, std::chrono::microseconds spin);

} // namespace switchboard
