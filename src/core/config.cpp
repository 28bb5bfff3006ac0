#include <switchboard/config.hpp>
#include <switchboard/protocol.hpp>

namespace switchboard {

std::optional<std::string> Config::validate() const {
    if (host.empty())
        return "the listen host is empty";
    if (max_frame < protocol::min_frame_size)
        return "the maximum frame size must be at least 5 bytes (4-byte ID and the terminator)";
    if (max_frame > (std::size_t{1} << 30))
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
    return std::nullopt;
}

} // namespace switchboard
