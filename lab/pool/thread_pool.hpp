// What the thread-pool designs of the lab (mutex, channels) share, and nothing else: the
// io_context their threads run, the threads themselves, and the tie to the user's io_context
// that the Engine contract (single_task/engine.hpp) asks for:
// - while the engine runs it holds a work guard on the user's io_context, so the user's run()
//   does not return while connections are served on threads the user does not see;
// - when the engine has stopped, the threads are joined on the user's thread (never on one of
//   their own) and only then is `on_stopped` run there, with the guard dropped after it;
// - the Server's destructor may join from any thread: it waits until the engine has stopped
//   (the caller has asked it to abort), then joins.
// How a design shares its state is its own business; this knows nothing of connections.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace switchboard::lab::pool {

/// `requested` threads, or one per core when it is 0.
std::size_t thread_count(std::size_t requested) noexcept;

class ThreadPool {
public:
    /// `threads` as for thread_count(). Nothing runs until start().
    ThreadPool(boost::asio::io_context& user_io, std::size_t threads);
    /// Joins what is still running (a thread that drops the owner's last reference cannot
    /// join itself, so it is let go: it has nothing left to run).
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    /// The io_context the threads run: every I/O object of the engine lives on it.
    boost::asio::io_context& context() noexcept { return context_; }
    std::size_t size() const noexcept { return size_; }

    /// On the user's thread, once: takes the work guard on the user's io_context and starts
    /// the threads on whatever the engine has already given the context to do.
    void start();

    /// Once, from any thread (usually a pool thread), when the engine has stopped and leaves
    /// nothing to run on the pool: posts to the user's io_context a job that joins the threads,
    /// runs `on_stopped` and then drops the guard. `on_stopped` must keep the pool's owner
    /// alive (the job refers to this pool).
    void finish(std::function<void()> on_stopped);

    /// For Engine::join(), from any thread but a pool thread: if the pool was started, waits
    /// until finish() has been called, then joins. The caller has asked the engine to stop.
    void join_when_finished();

    bool started() const;

private:
    /// Lets the threads run out of work and joins them. Idempotent; any thread but theirs.
    void join();

    using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

    boost::asio::io_context& user_io_;
    boost::asio::io_context context_;
    const std::size_t size_;
    std::optional<Guard> pool_guard_; ///< keeps run() going while the pool is idle
    std::optional<Guard> user_guard_; ///< only touched on the user's thread
    std::mutex join_mutex_;           ///< serialises join(): the user's thread, the destructor
    std::vector<std::thread> threads_;

    mutable std::mutex state_mutex_; ///< guards the two below, with finished_cv_
    std::condition_variable finished_cv_;
    bool started_ = false;
    bool finished_ = false;
};

} // namespace switchboard::lab::pool
