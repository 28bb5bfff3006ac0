#include <switchboard/config.hpp>

#include <switchboard/protocol.hpp>

namespace switchboard {

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
    for (auto model :
         {Model::single_task, Model::mutex, Model::channels, Model::race, Model::reactor})
        if (text == to_string(model))
            return model;
    return std::nullopt;
}

std::optional<std::string> Config::validate() const {
    if (host.empty())
        return "the listen host is empty";
    if (max_frame < protocol::min_frame_size)
        return "the maximum frame size must be at least 5 bytes (4-byte ID and the terminator)";
    if (max_frame > 1024 * MiB)
        return "the maximum frame size must be at most 1GiB";
    if (high_water == 0)
        return "the high-water mark must be greater than zero";
    if (low_water > high_water)
        return "the low-water mark must not be above the high-water mark";
    if (slow_consumer_timeout.count() <= 0)
        return "the slow-consumer timeout must be greater than zero";
    if (max_connections == 0)
        return "the maximum number of connections must be greater than zero";
    if (drain_timeout.count() < 0)
        return "the drain timeout must not be negative";
    if (threads > 1024)
        return "the number of threads must be at most 1024";
    if (read_chunk_size < 512)
        return "the read chunk size must be at least 512 bytes";
    return std::nullopt;
}

} // namespace switchboard
