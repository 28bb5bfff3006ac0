// The lab: the designs the single-task model is compared with, on the same protocol and the
// same core pieces, so that the comparison measures how connections share state and nothing
// else (docs/patterns.md). Each design is an engine behind the same switchboard::Server
// facade; this header picks one. The lab is its own library, linked by the `switchboard`
// binary (for --model) and the tests, and never installed.
#pragma once

#include "single_task/relay.hpp"

#include <switchboard/config.hpp>
#include <switchboard/server.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace switchboard::lab {

/// How the server shares its state between connections.
enum class Model {
    single_task, ///< the product: one thread; a reader and a writer coroutine per peer
    mutex,       ///< a thread pool; the directory behind a std::mutex, a strand per peer
    channels,    ///< a thread pool; one dispatcher owns the directory, fed over channels
    race,        ///< one thread, one coroutine racing every pending operation each turn
    reactor,     ///< one thread, a hand-rolled readiness loop over non-blocking sockets
};

inline constexpr std::array all_models{Model::single_task, Model::mutex, Model::channels,
                                       Model::race, Model::reactor};

std::string_view to_string(Model model) noexcept;
/// Accepts the names to_string gives: single-task, mutex, channels, race, reactor.
std::optional<Model> parse_model(std::string_view text) noexcept;
/// The models that run a thread pool of their own (and so take `threads`).
constexpr bool has_thread_pool(Model model) noexcept {
    return model == Model::mutex || model == Model::channels;
}

/// What the lab can be told beyond switchboard::Config.
struct Options {
    Model model = Model::single_task;
    /// Worker threads of the thread-pool models; 0 means one per core.
    std::size_t threads = 0;
    /// Knobs shared by every model (the read chunk size).
    single_task::Tuning tuning;

    /// Describes the first bad value, or nullopt.
    std::optional<std::string> validate() const;
};

/// The engine factory of `options.model`, for Server's lab constructor.
Server::EngineFactory engine_factory(const Options& options);

/// A server of `options.model` on `io`: Server(io, config, engine_factory(options)). Throws
/// std::invalid_argument for a bad config or bad options.
std::unique_ptr<Server> make_server(boost::asio::io_context& io, Config config,
                                    const Options& options);

} // namespace switchboard::lab
