// The bench's threads: one io_context per thread (concurrency hint 1, as in the server), so
// that each pair's sender and receiver share a thread and touch their state without locks.
// With --threads 1 (the default) everything runs on the calling thread.
#pragma once

#include "failure.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <exception>
#include <memory>
#include <vector>

namespace switchboard::bench {

class Workers {
public:
    explicit Workers(unsigned threads);

    std::size_t size() const noexcept { return contexts_.size(); }
    /// The context for item `i` of a mode's work (pair i, connection i): spread round-robin.
    boost::asio::io_context& context(std::size_t i) { return *contexts_[i % contexts_.size()]; }

    /// Starts `coroutine` on context(i); an exception it ends with is recorded in `failure`.
    template <typename Awaitable>
    void spawn(std::size_t i, Awaitable&& coroutine, Failure& failure) {
        boost::asio::co_spawn(context(i), std::forward<Awaitable>(coroutine),
                              [&failure](const std::exception_ptr& error) {
                                  if (error)
                                      record(error, failure);
                              });
    }

    /// Runs every context until it has no work left: context 0 on the calling thread, the
    /// others on threads of their own. May be called again once new work is spawned.
    void run(Failure& failure);

private:
    static void record(const std::exception_ptr& error, Failure& failure);

    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
};

} // namespace switchboard::bench
