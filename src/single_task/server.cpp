// switchboard::Server: the facade over an engine (by default the single-task service). It owns
// the server's life and the threading of its public calls, for every engine alike: stop and
// abort are posted to the io_context's thread, the stop handlers are kept and run there, and
// the lifecycle lines are logged here.
#include "core/log_lines.hpp"
#include "single_task/engine.hpp"
#include "single_task/service.hpp"

#include <switchboard/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <stdexcept>
#include <utility>
#include <vector>

namespace switchboard {

namespace asio = boost::asio;

/// Touched only on the io_context's thread (and by start(), before it runs or on it).
struct Server::Lifecycle {
    explicit Lifecycle(Config c)
        : config(std::move(c))
        , log(config.log_level, config.log_sink) {}

    enum class Phase { created, running, draining, stopped };

    void stop(single_task::Engine& engine, std::function<void()> on_stopped) {
        if (on_stopped)
            handlers.push_back(std::move(on_stopped));
        switch (phase) {
        case Phase::created:
            phase = Phase::stopped;
            [[fallthrough]];
        case Phase::stopped:
            run_handlers();
            return;
        case Phase::draining:
            return; // the handler runs with the others when the engine has stopped
        case Phase::running:
            phase = Phase::draining;
            core::log_stopping(log, engine.stats().connections_open, config.drain_timeout);
            engine.stop();
            return;
        }
    }

    void abort(single_task::Engine& engine) {
        switch (phase) {
        case Phase::created:
            phase = Phase::stopped;
            run_handlers();
            return;
        case Phase::stopped:
            return;
        case Phase::running:
        case Phase::draining:
            phase = Phase::draining;
            engine.abort();
            return;
        }
    }

    void finished(const Stats& final_counters) {
        phase = Phase::stopped;
        core::log_stopped(log, final_counters);
        run_handlers();
    }

    void run_handlers() {
        for (auto& handler : std::exchange(handlers, {}))
            handler();
    }

    const Config config;
    const Logger log;
    Phase phase = Phase::created;
    std::vector<std::function<void()>> handlers;
};

namespace {

Config validated(Config config) {
    if (auto problem = config.validate())
        throw std::invalid_argument("invalid switchboard config: " + *problem);
    return config;
}

} // namespace

Server::Server(asio::io_context& io, Config config)
    : Server(io, std::move(config), [](asio::io_context& context, const Config& valid) {
        return single_task::make_engine(context, valid);
    }) {}

Server::Server(asio::io_context& io, Config config, const EngineFactory& make_engine)
    : io_(io)
    , lifecycle_(std::make_shared<Lifecycle>(validated(std::move(config)))) {
    engine_ = make_engine(io, lifecycle_->config);
}

Server::~Server() {
    // Whatever still runs is aborted on its own thread; the engine's coroutines (or threads)
    // hold what they need. A model with threads of its own joins them before this returns.
    asio::post(io_, [engine = engine_, lifecycle = lifecycle_] { lifecycle->abort(*engine); });
    engine_->join();
}

void Server::start() {
    if (lifecycle_->phase != Lifecycle::Phase::created)
        throw std::logic_error("switchboard::Server::start called twice, or after stop");
    engine_->start([lifecycle = lifecycle_](const Stats& final_counters) {
        lifecycle->finished(final_counters);
    });
    lifecycle_->phase = Lifecycle::Phase::running;
    core::log_listening(lifecycle_->log, engine_->local_address(), engine_->design(),
                        lifecycle_->config);
}

std::uint16_t Server::port() const noexcept {
    return engine_->port();
}

std::string Server::local_address() const {
    return engine_->local_address();
}

Stats Server::stats() const noexcept {
    return engine_->stats();
}

void Server::stop(std::function<void()> on_stopped) {
    asio::post(io_,
               [engine = engine_, lifecycle = lifecycle_, h = std::move(on_stopped)]() mutable {
                   lifecycle->stop(*engine, std::move(h));
               });
}

void Server::abort() {
    asio::post(io_, [engine = engine_, lifecycle = lifecycle_] { lifecycle->abort(*engine); });
}

} // namespace switchboard
