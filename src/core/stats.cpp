#include <switchboard/stats.hpp>

namespace switchboard {

std::string to_string(const Stats& s) {
    std::string out;
    const auto field = [&out](const char* name, std::uint64_t value) {
        if (!out.empty())
            out += ' ';
        out += name;
        out += '=';
        out += std::to_string(value);
    };
    field("connections_accepted", s.connections_accepted);
    field("connections_closed", s.connections_closed);
    field("connections_refused", s.connections_refused);
    field("frames_routed", s.frames_routed);
    field("bytes_routed", s.bytes_routed);
    field("frames_unknown_destination", s.frames_unknown_destination);
    field("frames_dropped_on_close", s.frames_dropped_on_close);
    field("bytes_dropped_on_close", s.bytes_dropped_on_close);
    field("partial_frames_discarded", s.partial_frames_discarded);
    field("disconnects_frame_too_large", s.disconnects_frame_too_large);
    field("disconnects_slow_consumer", s.disconnects_slow_consumer);
    field("disconnects_error", s.disconnects_error);
    field("senders_paused", s.senders_paused);
    field("error_notices_sent", s.error_notices_sent);
    return out;
}

} // namespace switchboard
