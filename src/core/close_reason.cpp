#include "core/close_reason.hpp"

namespace switchboard::core {

std::string_view describe(CloseReason reason) noexcept {
    switch (reason) {
    case CloseReason::error:
        return "connection error";
    case CloseReason::frame_too_large:
        return "frame too large";
    case CloseReason::slow_consumer:
        return "slow consumer";
    case CloseReason::drain_timeout:
        return "drain deadline passed";
    case CloseReason::aborted:
        return "server aborted";
    case CloseReason::linger_ended:
        return "flushed, client still sending";
    }
    return "?";
}

std::string no_terminator_within(std::size_t max_frame) {
    return "no terminator within " + std::to_string(max_frame) + " bytes";
}

void log_close(const Logger& log, CloseReason reason, PeerName who, std::string_view detail,
               Dropped dropped) {
    switch (reason) {
    case CloseReason::error:
        log.debug("closing ", who.remote, " id ", who.id, ": ", detail);
        return;
    case CloseReason::linger_ended:
        log.debug("closing ", who.remote, " id ", who.id, ": ", describe(reason));
        return;
    case CloseReason::frame_too_large:
        log.warning("disconnecting ", who.remote, " id ", who.id, ": ", describe(reason), " (",
                    detail, ")");
        return;
    case CloseReason::slow_consumer:
    case CloseReason::drain_timeout:
    case CloseReason::aborted:
        log.warning("disconnecting ", who.remote, " id ", who.id, ": ", describe(reason),
                    ", dropping ", dropped.frames, " queued frame(s), ", dropped.bytes, " bytes");
        return;
    }
}

} // namespace switchboard::core
