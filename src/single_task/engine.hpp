// The seam between switchboard::Server, the facade every user and every model shares, and
// the machinery that serves connections: the single-task service, or a design of the lab.
//
// The facade owns the server's life (created, running, draining, stopped), the threading of
// its public calls and the lifecycle log lines; an engine only serves. So the contract is:
// - start(), stop() and abort() are called on the thread running the io_context the Server
//   was given (the facade posts stop and abort there); start() only once, stop() and abort()
//   only after it, possibly more than once each.
// - start() binds and listens before it returns (throws std::system_error), then serves.
// - Once it has stopped (after stop() or abort()), the engine calls `on_stopped` exactly once,
//   on that same thread, with its final counters, and owns no more pending work on the
//   io_context. An engine with threads of its own has joined them by then.
// - stats(), port(), local_address() and design() may be called from any thread after start.
// - join() is called when the Server is destroyed, on any thread, after an abort was posted.
// - Every connection is logged at debug level, "connected ..." and "disconnected ...", after
//   the counters are updated (core/log_lines.hpp): tests wait on those lines.
#pragma once

#include <switchboard/stats.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace switchboard::single_task {

class Engine {
public:
    virtual ~Engine() = default;

    using StoppedHandler = std::function<void(const Stats& final_counters)>;
    virtual void start(StoppedHandler on_stopped) = 0;
    virtual void stop() = 0;
    virtual void abort() = 0;
    /// A model with threads of its own aborts and joins them here (the posted abort may never
    /// run if the io_context does not run again); the others have nothing to do.
    virtual void join() {}

    virtual std::uint16_t port() const noexcept = 0;
    virtual std::string local_address() const = 0;
    /// How this engine serves, for the "listening on" line: "single-task", "mutex, 2 threads".
    virtual std::string design() const = 0;
    virtual Stats stats() const noexcept = 0;
};

} // namespace switchboard::single_task
