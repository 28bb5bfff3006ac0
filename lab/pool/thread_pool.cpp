#include "lab/pool/thread_pool.hpp"

#include <algorithm>

namespace switchboard::lab::pool {

namespace asio = boost::asio;

std::size_t resolve_threads(std::size_t requested) noexcept {
    if (requested != 0)
        return requested;
    return std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(asio::io_context& user_io, std::size_t threads)
    : user_io_(user_io)
    , size_(threads)
    , io_(static_cast<int>(threads)) // the concurrency hint: this many threads run it
    , work_(io_.get_executor()) {}

ThreadPool::~ThreadPool() {
    join();
}

void ThreadPool::start() {
    {
        std::lock_guard lock(mutex_);
        started_ = true;
    }
    user_work_.emplace(user_io_.get_executor());
    threads_.reserve(size_);
    for (std::size_t i = 0; i < size_; ++i)
        threads_.emplace_back([this] { io_.run(); });
}

bool ThreadPool::started() const noexcept {
    std::lock_guard lock(mutex_);
    return started_;
}

void ThreadPool::finish(std::function<void()> on_joined) {
    {
        std::lock_guard lock(mutex_);
        finished_ = true;
    }
    finished_cv_.notify_all();
    // The lambda holds what `on_joined` holds (the engine, and so this pool) until it has run.
    asio::post(user_io_, [this, on_joined = std::move(on_joined)] {
        join();
        on_joined();
        user_work_.reset(); // last: the user's run() may return once this handler is done
    });
}

void ThreadPool::wait_and_join() {
    {
        std::unique_lock lock(mutex_);
        finished_cv_.wait(lock, [this] { return finished_ || !started_; });
    }
    join();
}

void ThreadPool::join() {
    {
        std::lock_guard lock(mutex_);
        joining_ = true;
    }
    std::lock_guard lock(join_mutex_);
    work_.reset(); // the threads return once the engine's last handler has run
    for (auto& thread : threads_) {
        if (!thread.joinable())
            continue;
        // A thread cannot join itself. Only a pool thread that drops the last reference to
        // the engine gets here, which the engines rule out (their Server holds one until it
        // has joined); detaching is the least harm if one ever does.
        if (thread.get_id() == std::this_thread::get_id())
            thread.detach();
        else
            thread.join();
    }
    threads_.clear();
}

} // namespace switchboard::lab::pool
