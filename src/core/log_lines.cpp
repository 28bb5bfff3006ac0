#include "core/log_lines.hpp"

#include "core/policy.hpp"

#include <switchboard/units.hpp>

namespace switchboard::core {

void log_listening(const Logger& log, std::string_view address, std::string_view design,
                   const Config& config) {
    log.info("listening on ", address, " (", design, ", max frame ",
             format_byte_size(config.max_frame), ", high/low water ",
             format_byte_size(config.high_water), "/", format_byte_size(config.low_water),
             ", slow consumer timeout ", format_duration(config.slow_consumer_timeout),
             ", max connections ", config.max_connections, ")");
}

void log_connected(const Logger& log, PeerName who) {
    log.debug("connected ", who.remote, " as id ", who.id);
}

void log_disconnected(const Logger& log, PeerName who) {
    log.debug("disconnected ", who.remote, " id ", who.id);
}

void log_refused(const Logger& log, std::string_view remote, std::size_t max_connections) {
    log.warning("refused ", remote, ": at max_connections (", max_connections, ")");
}

void log_accept_failed(const Logger& log, std::string_view error, bool backing_off) {
    if (backing_off)
        log.warning("accept failed: ", error, "; retrying in ", format_duration(accept_backoff));
    else
        log.debug("accept failed: ", error, "; accepting the next connection");
}

void log_paused(const Logger& log, PeerId sender, PeerId destination, std::size_t high_water) {
    log.debug("pausing id ", sender, ": the queue of id ", destination, " is above ", high_water,
              " bytes");
}

void log_stopping(const Logger& log, std::uint64_t connections, std::chrono::milliseconds drain) {
    log.info("stopping: listener closed, flushing ", connections, " connection(s) within ",
             drain.count(), "ms");
}

void log_stopped(const Logger& log, const Stats& stats) {
    log.info("stopped: ", to_string(stats));
}

std::string describe(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception of unknown type";
    }
}

} // namespace switchboard::core
