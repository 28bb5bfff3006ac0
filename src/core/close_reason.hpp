// Why a connection was closed by force, and the one way every model counts and logs it: the
// reason decides the counter and the log line, so a policy change is one edit here.
#pragma once

#include <switchboard/log.hpp>
#include <switchboard/protocol.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::core {

enum class CloseReason {
    error,           ///< reset, or another socket error (counted as disconnects_error)
    frame_too_large, ///< max_frame bytes arrived without a terminator
    slow_consumer,   ///< queued bytes, and no write progress for slow_consumer_timeout
    drain_timeout,   ///< still flushing when the stop's drain deadline passed
    aborted,         ///< Server::abort(), or a second signal
    linger_ended,    ///< flushed, but the client was still sending at the drain deadline
};

std::string_view describe(CloseReason reason) noexcept;

/// The reason to close a peer still open at the drain deadline: one that had flushed
/// everything and was only waiting for the client's FIN lost nothing.
constexpr CloseReason at_drain_deadline(bool lingering) noexcept {
    return lingering ? CloseReason::linger_ended : CloseReason::drain_timeout;
}

/// The detail logged with frame_too_large.
std::string no_terminator_within(std::size_t max_frame);

/// Who a log line is about.
struct PeerName {
    std::string_view remote; ///< "127.0.0.1:5000"
    PeerId id = 0;
};

/// What a close dropped from the peer's queue.
struct Dropped {
    std::uint64_t frames = 0;
    std::uint64_t bytes = 0;
};

/// The log line of a forced close (warning for a limit, debug for an error or a linger).
void log_close(const Logger& log, CloseReason reason, PeerName who, std::string_view detail,
               Dropped dropped);

/// Counts a forced close and what it dropped, then logs it: after the counters, because tests
/// wait for the line and then read the counters.
template <typename Counters>
void record_close(Counters& counters, const Logger& log, CloseReason reason, PeerName who,
                  std::string_view detail, Dropped dropped) {
    switch (reason) {
    case CloseReason::error:
        counters.disconnects_error.add();
        break;
    case CloseReason::frame_too_large:
        counters.disconnects_frame_too_large.add();
        break;
    case CloseReason::slow_consumer:
        counters.disconnects_slow_consumer.add();
        break;
    case CloseReason::drain_timeout:
    case CloseReason::aborted:
    case CloseReason::linger_ended:
        break; // counted by what they dropped
    }
    if (dropped.frames != 0 || dropped.bytes != 0) {
        counters.frames_dropped_on_close.add(dropped.frames);
        counters.bytes_dropped_on_close.add(dropped.bytes);
    }
    log_close(log, reason, who, detail, dropped);
}

} // namespace switchboard::core
