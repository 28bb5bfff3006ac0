#include "config.hpp"

#include "protocol.hpp"

namespace switchboard {

std::optional<std::string> Config::validate() const {
    if (host.empty())
        return "the listen host is empty";
    if (max_frame < protocol::min_frame_size)
        return "max_frame must be at least 5 bytes (4-byte ID and the terminator)";
    if (max_frame > 1024 * MiB)
        return "max_frame must be at most 1GiB";
    if (high_water == 0)
        return "high_water must be greater than zero";
    if (low_water > high_water)
        return "low_water must not be above high_water";
    if (slow_consumer_timeout.count() <= 0)
        return "slow_consumer_timeout must be greater than zero";
    if (max_connections == 0)
        return "max_connections must be greater than zero";
    if (drain_timeout.count() < 0)
        return "drain_timeout must not be negative";
    if (read_chunk_size < 512)
        return "read_chunk_size must be at least 512 bytes";
    return std::nullopt;
}

} // namespace switchboard
