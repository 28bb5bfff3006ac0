// A one-thread async condition: one coroutine waits, anyone on the same thread notifies.
// A timer that never expires is the wait; cancelling it is the notification. Waiters always
// re-check their condition after waking, so a wake-up with nothing to do is harmless, and
// since a waiter checks and starts waiting without an await in between, none can be missed.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace switchboard::single_task {

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

    /// Suspends until notify(); completes with no error either way: the caller re-checks.
    /// Returns the timer's awaitable itself rather than being a coroutine: an idle peer
    /// waits here, and a coroutine would cost it one more frame for as long as it is idle.
    /// A wait that ends some other way (the timer destroyed) leaves `waiting_` set, which only
    /// makes the next notify() cancel a timer nobody waits on.
    auto wait() {
        waiting_ = true;
        return timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }

private:
    boost::asio::steady_timer timer_;
    bool waiting_ = false;
};

} // namespace switchboard::single_task
