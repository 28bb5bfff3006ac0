// How a run fails: BenchError carries a message for the user (exit status 1), and Failure is
// where coroutines on any of the bench's threads record the first thing that went wrong, for
// the mode's controller to notice and end the run.
#pragma once

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>

namespace switchboard::bench {

class BenchError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Failure {
public:
    /// Records `message` unless something was recorded before. Thread-safe.
    void set(std::string message) {
        std::lock_guard lock(mutex_);
        if (failed_.load(std::memory_order_relaxed))
            return;
        message_ = std::move(message);
        failed_.store(true, std::memory_order_release);
    }
    bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }
    /// Throws BenchError with the first message, if any was recorded.
    void rethrow_if_failed() const {
        if (!failed())
            return;
        std::lock_guard lock(mutex_);
        throw BenchError(message_);
    }

private:
    mutable std::mutex mutex_;
    std::atomic<bool> failed_{false};
    std::string message_;
};

} // namespace switchboard::bench
