#include "server_model.hpp"

namespace switchboard::detail {

std::unique_ptr<ServerModel> make_model(boost::asio::io_context& io, Config config) {
    switch (config.model) {
    case Model::single_task:
        break;
    case Model::mutex:
        return make_mutex_model(io, std::move(config));
    case Model::channels:
        return make_channels_model(io, std::move(config));
    case Model::race:
        return make_race_model(io, std::move(config));
    case Model::reactor:
        return make_reactor_model(io, std::move(config));
    }
    return make_single_task_model(io, std::move(config));
}

} // namespace switchboard::detail
