// The lines a server logs about its life and its connections, written once for every model.
// Tests wait for some of them (docs say which), so their words are part of the contract:
// "connected" and "disconnected" at debug level after the counters are updated, for every
// connection; "stopping: ..." and "stopped: ..." at info. Forced closes are logged by
// record_close (close_reason.hpp).
#pragma once

#include "core/close_reason.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>
#include <switchboard/protocol.hpp>
#include <switchboard/stats.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

namespace switchboard::core {

/// "listening on ADDRESS (DESIGN, max frame ..., high/low water ..., ...)".
void log_listening(const Logger& log, std::string_view address, std::string_view design,
                   const Config& config);
void log_connected(const Logger& log, PeerName who);
void log_disconnected(const Logger& log, PeerName who);
void log_refused(const Logger& log, std::string_view remote, std::size_t max_connections);
/// An accept failed: for lack of resources (`backing_off`: retried after accept_backoff,
/// at warning level), or for one connection only (debug).
void log_accept_failed(const Logger& log, std::string_view error, bool backing_off);
void log_paused(const Logger& log, PeerId sender, PeerId destination, std::size_t high_water);
void log_stopping(const Logger& log, std::uint64_t connections, std::chrono::milliseconds drain);
void log_stopped(const Logger& log, const Stats& stats);

/// What an exception that escaped a coroutine says, for its log line.
std::string describe(std::exception_ptr error);

/// A completion handler for co_spawn that logs what escaped the coroutine ("WHAT failed:
/// ...") instead of losing it, as `detached` would. It holds `owner`, who owns `log`.
template <typename Owner>
auto log_failure(std::shared_ptr<Owner> owner, const Logger& log, const char* what) {
    return [owner = std::move(owner), &log, what](std::exception_ptr error) {
        if (error)
            log.error(what, " failed: ", describe(error));
    };
}

} // namespace switchboard::core
