#include "core/frame_parser.hpp"

#include <stdexcept>

namespace switchboard::core {

FrameParser::FrameParser(std::size_t max_frame)
    : max_frame_(max_frame) {
    if (max_frame < protocol::min_frame_size)
        throw std::invalid_argument("max_frame must be at least 5 bytes");
}

void FrameParser::reset() noexcept {
    scanned_ = 0;
    failed_ = false;
}

} // namespace switchboard::core
