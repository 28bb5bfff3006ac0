#include <switchboard/log.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace switchboard {

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
    case LogLevel::trace:
        return "trace";
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warning:
        return "warning";
    case LogLevel::error:
        return "error";
    case LogLevel::off:
        return "off";
    }
    return "?";
}

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
    for (auto level : {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warning,
                       LogLevel::error, LogLevel::off})
        if (text == to_string(level))
            return level;
    if (text == "warn")
        return LogLevel::warning;
    return std::nullopt;
}

void log_to_stderr(LogLevel level, std::string_view message) {
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t seconds = system_clock::to_time_t(now);
    const auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    // One fprintf per line so concurrent writers (tests, tools) do not interleave inside it.
    std::fprintf(stderr, "%s.%03dZ %-7.*s %.*s\n", stamp, static_cast<int>(millis),
                 static_cast<int>(to_string(level).size()), to_string(level).data(),
                 static_cast<int>(message.size()), message.data());
}

Logger::Logger(LogLevel level, LogSink sink)
    : level_(level)
    , sink_(std::move(sink)) {
    if (!sink_)
        sink_ = log_to_stderr;
}

} // namespace switchboard
