// A one-thread async condition: one coroutine waits, anyone on the same thread notifies.
// A timer that never expires is the wait; cancelling it is the notification. Waiters always
// re-check their condition after waking, so a wake-up with nothing to do is harmless, and
// since a waiter checks and starts waiting without an await in between, none can be missed.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchboard::detail {

class Wakeup {
public:
    explicit Wakeup(const boost::asio::any_io_executor& executor)
        : timer_(executor, boost::asio::steady_timer::time_point::max()) {}

    /// Wakes the waiter, if there is one. Cheap when nobody waits: no timer operation.
    void notify() noexcept {
        if (waiting_) {
            waiting_ = false;
            timer_.cancel();
        }
    }

    /// Suspends until notify(). Completes with no error either way: the caller re-checks.
    boost::asio::awaitable<void> wait() {
        waiting_ = true;
        co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        waiting_ = false;
    }

private:
    boost::asio::steady_timer timer_;
    bool waiting_ = false;
};

} // namespace switchboard::detail
