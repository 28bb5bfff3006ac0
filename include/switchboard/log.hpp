// Levelled logging with an injectable sink. The server logs through this; the default sink
// writes one line per message to stderr with the time and the level.
#pragma once

#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace switchboard {

enum class LogLevel { trace, debug, info, warning, error, off };

std::string_view to_string(LogLevel level) noexcept;
/// Accepts trace, debug, info, warning (or warn), error, off.
std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

/// Receives every message at or above the configured level, already formatted.
using LogSink = std::function<void(LogLevel, std::string_view message)>;

/// Writes "2026-11-22T04:40:00.123Z info  message" to stderr.
void log_to_stderr(LogLevel level, std::string_view message);

class Logger {
public:
    explicit Logger(LogLevel level = LogLevel::info, LogSink sink = log_to_stderr);

    bool enabled(LogLevel level) const noexcept {
        return level >= level_ && level_ != LogLevel::off;
    }

    /// Formats the arguments with operator<< only when the level is enabled.
    template <typename... Args>
    void log(LogLevel level, const Args&... args) const {
        if (!enabled(level))
            return;
        std::ostringstream out;
        (out << ... << args);
        sink_(level, out.str());
    }

    template <typename... Args>
    void debug(const Args&... args) const {
        log(LogLevel::debug, args...);
    }
    template <typename... Args>
    void info(const Args&... args) const {
        log(LogLevel::info, args...);
    }
    template <typename... Args>
    void warning(const Args&... args) const {
        log(LogLevel::warning, args...);
    }
    template <typename... Args>
    void error(const Args&... args) const {
        log(LogLevel::error, args...);
    }

private:
    LogLevel level_;
    LogSink sink_;
};

} // namespace switchboard
