// What a server has counted: a snapshot value, taken by Server::stats() from any thread.
// docs/protocol.md says which outcome each counter records.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard {

/// A snapshot of the counters, as returned by Server::stats().
struct Stats {
    std::uint64_t connections_accepted = 0; ///< got an ID
    std::uint64_t connections_closed = 0;   ///< of those, ended (any reason)
    std::uint64_t connections_open = 0;     ///< accepted - closed
    std::uint64_t connections_refused = 0;  ///< over max_connections: closed at once, no ID

    std::uint64_t frames_routed = 0; ///< queued to a live destination
    std::uint64_t bytes_routed = 0;  ///< payload bytes of those, terminators included

    std::uint64_t frames_unknown_destination = 0; ///< dropped: nobody holds the ID
    std::uint64_t frames_dropped_on_close = 0;    ///< queued to a peer that went away first
    std::uint64_t bytes_dropped_on_close = 0;
    std::uint64_t partial_frames_discarded = 0; ///< peer left mid-frame

    std::uint64_t disconnects_frame_too_large = 0;
    std::uint64_t disconnects_slow_consumer = 0;
    std::uint64_t disconnects_error = 0; ///< reset or other socket error
    std::uint64_t senders_paused = 0;    ///< times a reader waited for a full outbox
    std::uint64_t error_notices_sent = 0;
};

/// "connections_accepted=3 connections_closed=3 ... error_notices_sent=0": every counter,
/// for logs and tools.
std::string to_string(const Stats& stats);

} // namespace switchboard
