// The plumbing of the lab's thread-pool designs (mutex, channels), and nothing of how they
// share state: an io_context of the engine's own run by a pool of threads, tied to the
// user's io_context the way single_task/engine.hpp asks:
// - while the engine runs, a work guard keeps the user's io_context from running out of work
//   (its run() must not return while the pool still serves);
// - once the engine has finished, the pool is joined on the user's thread (a pool thread
//   cannot join itself), and only then does the engine's stopped handler run there;
// - Engine::join (the Server's destructor, any thread) waits for that finish and joins.
//
// The engine says when it has finished: everything it started has ended, or ends without
// starting anything new, so the pool's io_context then runs out of work and its threads
// return. A handler posted from outside the pool after that would never run, and a handler
// left queued holds whatever it captured (usually the engine) forever; submit() refuses it.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace switchboard::lab::pool {

/// The number of threads for lab::Options::threads: `requested`, or one per core for 0.
std::size_t resolve_threads(std::size_t requested) noexcept;

class ThreadPool {
public:
    /// `threads` as resolved by resolve_threads(); `user_io` must outlive the pool.
    ThreadPool(boost::asio::io_context& user_io, std::size_t threads);
    /// Joins, if nobody did (a pool thread that gets here is detached instead).
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    /// The pool's own io_context: every I/O object of the engine is bound to it (or a strand
    /// of it), and must be destroyed before the pool.
    boost::asio::io_context& context() noexcept { return io_; }
    std::size_t size() const noexcept { return size_; }
    /// "NAME, N threads": how an engine on this pool describes itself (Engine::design).
    std::string describe(std::string_view name) const {
        return std::string(name) + ", " + std::to_string(size_) +
               (size_ == 1 ? " thread" : " threads");
    }

    /// Starts the threads and holds the user's io_context busy until finish() has run its
    /// handler there. Once; on the user's thread.
    void start();
    bool started() const noexcept;

    /// From outside the pool (the user's thread, the Server's destructor): posts `handler` to
    /// `executor` (the pool's, or a strand of it) unless the pool is being joined, when
    /// nothing would ever run it. Returns whether it was posted. Inside the pool (a handler
    /// that posts more work) plain asio::post is right: the pool cannot run out of work while
    /// one of its handlers runs.
    template <typename Executor, typename Handler>
    bool submit(const Executor& executor, Handler&& handler) {
        std::lock_guard lock(mutex_);
        if (joining_)
            return false;
        boost::asio::post(executor, std::forward<Handler>(handler));
        return true;
    }

    /// The engine has finished (once, from any thread, usually a pool thread): on the user's
    /// io_context's thread the pool is joined, then `on_joined` runs, then the user's
    /// io_context is let go. `on_joined` should hold what it and the pool need (the engine).
    void finish(std::function<void()> on_joined);
    /// For Engine::join, on any thread but a pool thread: waits until finish() has been
    /// called (the caller has asked the engine to abort), then joins the threads.
    void wait_and_join();

private:
    void join();

    boost::asio::io_context& user_io_;
    const std::size_t size_;
    boost::asio::io_context io_;
    /// Keeps the threads running while the engine is idle; dropped when joining.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    /// Touched only on the user's thread (start, and finish's posted handler), or destroyed
    /// with the pool.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
        user_work_;

    mutable std::mutex mutex_; ///< guards the three below
    std::condition_variable finished_cv_;
    bool started_ = false;
    bool finished_ = false;
    bool joining_ = false; ///< the pool may run out of work: nothing new is posted from outside

    std::mutex join_mutex_; ///< one joiner at a time; the second waits until the first is done
    std::vector<std::thread> threads_;
};

} // namespace switchboard::lab::pool
