// The seam between switchboard::Server and the concurrency design behind it. Every model
// (docs/patterns.md) implements this: the single-task server, and the designs it is compared
// with. Models share the sans-IO protocol core, the Config, the counters' Stats and the
// logger; none reaches into another's internals.
//
// The contract each model keeps, so that one Server facade and one test suite serve all:
// - start() binds and listens before it returns (so port() is known), then serves.
// - stats(), stop() and abort() may be called from any thread, at any time after start.
// - stop(on_stopped) is the graceful drain of PROTOCOL.md; `on_stopped` runs on the thread
//   that runs the io_context given to the model, after which the model owns no more pending
//   work on that io_context (so io_context::run() returns unless something else keeps it
//   busy). A model with threads of its own has joined them before `on_stopped` runs.
// - The model logs at debug level "connected ..." and "disconnected ..." for every connection,
//   after updating the counters (the tests wait on log lines instead of sleeping).
// - Destroying a model that is still serving aborts it.
#pragma once

#include <switchboard/config.hpp>
#include <switchboard/stats.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace switchboard::detail {

class ServerModel {
public:
    virtual ~ServerModel() = default;

    virtual void start() = 0;
    virtual std::uint16_t port() const noexcept = 0;
    virtual std::string local_address() const = 0;
    virtual Stats stats() const noexcept = 0;
    virtual void stop(std::function<void()> on_stopped) = 0;
    virtual void abort() = 0;
};

/// The model `config.model` names, not yet started. `config` has been validated.
std::unique_ptr<ServerModel> make_model(boost::asio::io_context& io, Config config);

std::unique_ptr<ServerModel> make_single_task_model(boost::asio::io_context& io, Config config);
std::unique_ptr<ServerModel> make_mutex_model(boost::asio::io_context& io, Config config);
std::unique_ptr<ServerModel> make_channels_model(boost::asio::io_context& io, Config config);
std::unique_ptr<ServerModel> make_race_model(boost::asio::io_context& io, Config config);
std::unique_ptr<ServerModel> make_reactor_model(boost::asio::io_context& io, Config config);

} // namespace switchboard::detail
