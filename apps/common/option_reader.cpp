#include "option_reader.hpp"

#include <switchboard/units.hpp>

#include <charconv>

namespace switchboard::apps {

namespace {

std::optional<std::uint64_t> parse_whole_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

/// "1s", "250ms", "50us": the bounds of fine durations, which need not be whole milliseconds.
std::string format_fine_duration(std::chrono::microseconds duration) {
    if (duration % std::chrono::milliseconds(1) == std::chrono::microseconds(0))
        return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(duration));
    return std::to_string(duration.count()) + "us";
}

} // namespace

bool OptionReader::given(std::string_view name) const {
    return values_.count(std::string(name)) != 0;
}

const std::string* OptionReader::text(std::string_view name) const {
    const auto found = values_.find(std::string(name));
    return found == values_.end() ? nullptr : &found->second.as<std::string>();
}

std::optional<std::uint64_t> OptionReader::whole_number(std::string_view name, std::uint64_t min,
                                                        std::uint64_t max, bool bounded) {
    const std::string* value = text(name);
    if (!value)
        return std::nullopt;
    const auto n = parse_whole_number(*value);
    if (n && *n >= min && *n <= max)
        return n;
    if (bounded)
        fail(name, *value,
             "a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    else if (min > 0)
        fail(name, *value, "a whole number of at least " + std::to_string(min));
    else
        fail(name, *value, "a whole number");
    return std::nullopt;
}

void OptionReader::byte_size(std::string_view name, std::size_t& out, std::uint64_t max) {
    const std::string* value = text(name);
    if (!value)
        return;
    const auto bytes = parse_byte_size(*value);
    if (bytes && *bytes <= max)
        out = static_cast<std::size_t>(*bytes);
    else if (max < std::numeric_limits<std::size_t>::max())
        fail(name, *value, "a byte size up to " + format_byte_size(max));
    else
        fail(name, *value, "a byte size (e.g. 64KiB, 1MiB)");
}

void OptionReader::duration(std::string_view name, std::chrono::milliseconds& out, Zero zero) {
    const std::string* value = text(name);
    if (!value)
        return;
    const auto duration = parse_duration(*value);
    if (duration && (zero == Zero::allowed || duration->count() > 0))
        out = *duration;
    else
        fail(name, *value,
             zero == Zero::allowed ? "a duration (e.g. 500ms, 5s)"
                                   : "a duration above 0 (e.g. 500ms, 5s)");
}

void OptionReader::fine_duration(std::string_view name, std::chrono::microseconds& out,
                                 std::chrono::microseconds max) {
    const std::string* value = text(name);
    if (!value)
        return;
    const auto duration = parse_fine_duration(*value);
    if (duration && *duration <= max)
        out = *duration;
    else
        fail(name, *value, "a duration up to " + format_fine_duration(max) + " (e.g. 50us, 0)");
}

void OptionReader::host_port(std::string_view name, HostPort& out, const HostPortRules& rules) {
    parsed(
        name, out, [&](const std::string& text) { return parse_host_port(text, rules); },
        rules.description);
}

void OptionReader::fail(std::string_view name, std::string_view value, std::string_view expected) {
    fail(name, "'" + std::string(value) + "' is not " + std::string(expected));
}

void OptionReader::fail(std::string_view name, std::string_view problem) {
    if (error_.empty())
        error_ = "--" + std::string(name) + ": " + std::string(problem);
}

} // namespace switchboard::apps
