#include "lab/pool/thread_pool.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <utility>

namespace switchboard::lab::pool {

std::size_t thread_count(std::size_t requested) noexcept {
    return requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

ThreadPool::ThreadPool(boost::asio::io_context& user_io, std::size_t threads)
    : user_io_(user_io)
    , size_(thread_count(threads))
    , pool_guard_(context_.get_executor()) {}

ThreadPool::~ThreadPool() {
    pool_guard_.reset();
    for (auto& thread : threads_)
        if (thread.joinable())
            thread.get_id() == std::this_thread::get_id() ? thread.detach() : thread.join();
}

void ThreadPool::start() {
    user_guard_.emplace(user_io_.get_executor());
    {
        std::lock_guard lock(state_mutex_);
        started_ = true;
    }
    std::lock_guard lock(join_mutex_);
    threads_.reserve(size_);
    for (std::size_t i = 0; i < size_; ++i)
        threads_.emplace_back([this] { context_.run(); });
}

bool ThreadPool::started() const {
    std::lock_guard lock(state_mutex_);
    return started_;
}

void ThreadPool::finish(std::function<void()> on_stopped) {
    {
        std::lock_guard lock(state_mutex_);
        finished_ = true;
    }
    finished_cv_.notify_all();
    boost::asio::post(user_io_, [this, on_stopped = std::move(on_stopped)] {
        join(); // the contract: threads joined before on_stopped runs
        on_stopped();
        user_guard_.reset(); // the user's run() may return now
    });
}

void ThreadPool::join_when_finished() {
    {
        std::unique_lock lock(state_mutex_);
        if (!started_)
            return;
        finished_cv_.wait(lock, [this] { return finished_; });
    }
    join();
}

void ThreadPool::join() {
    std::lock_guard lock(join_mutex_);
    pool_guard_.reset();
    for (auto& thread : threads_)
        if (thread.joinable())
            thread.join();
    threads_.clear();
}

} // namespace switchboard::lab::pool
