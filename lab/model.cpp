#include "lab/model.hpp"

#include "lab/engines.hpp"
#include "single_task/service.hpp"

#include <stdexcept>

namespace switchboard::lab {

std::string_view to_string(Model model) noexcept {
    switch (model) {
    case Model::single_task:
        return "single-task";
    case Model::mutex:
        return "mutex";
    case Model::channels:
        return "channels";
    case Model::race:
        return "race";
    case Model::reactor:
        return "reactor";
    }
    return "?";
}

std::optional<Model> parse_model(std::string_view text) noexcept {
    for (const Model model : all_models)
        if (text == to_string(model))
            return model;
    return std::nullopt;
}

std::optional<std::string> Options::validate() const {
    if (threads > 1024)
        return "the number of threads must be at most 1024";
    if (threads != 0 && !has_thread_pool(model))
        return "only the mutex and channels models run threads of their own; '" +
               std::string(to_string(model)) + "' runs on one";
    if (tuning.read_chunk_size < 512)
        return "the read chunk size must be at least 512 bytes";
    return std::nullopt;
}

Server::EngineFactory engine_factory(const Options& options) {
    if (auto problem = options.validate())
        throw std::invalid_argument("invalid lab options: " + *problem);
    return [options](boost::asio::io_context& io,
                     const Config& config) -> std::shared_ptr<single_task::Engine> {
        switch (options.model) {
        case Model::single_task:
            break;
        case Model::mutex:
            return make_mutex_engine(io, config, options);
        case Model::channels:
            return make_channels_engine(io, config, options);
        case Model::race:
            return make_race_engine(io, config, options);
        case Model::reactor:
            return make_reactor_engine(io, config, options);
        }
        return single_task::make_engine(io, config, options.tuning);
    };
}

std::unique_ptr<Server> make_server(boost::asio::io_context& io, Config config,
                                    const Options& options) {
    return std::make_unique<Server>(io, std::move(config), engine_factory(options));
}

} // namespace switchboard::lab
