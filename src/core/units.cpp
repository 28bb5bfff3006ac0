#include <switchboard/units.hpp>

#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

namespace switchboard {

namespace {

/// Splits "512KiB" into 512 and "KiB"; fails when there is no leading number.
std::optional<std::pair<std::uint64_t, std::string_view>> split_number(std::string_view text) {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr == text.data())
        return std::nullopt;
    std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
    while (!unit.empty() && unit.front() == ' ')
        unit.remove_prefix(1);
    return std::pair{value, unit};
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

std::optional<std::uint64_t> multiply(std::uint64_t value, std::uint64_t factor) {
    if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor)
        return std::nullopt;
    return value * factor;
}

} // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) noexcept {
    const auto parts = split_number(text);
    if (!parts)
        return std::nullopt;
    const auto [value, unit] = *parts;
    struct Unit {
        std::string_view name;
        std::uint64_t factor;
    };
    // Decimal units first and case-sensitive, so "kB"/"MB" are not taken for binary ones.
    static constexpr Unit decimal[] = {
        {"kB", 1000}, {"KB", 1000}, {"MB", 1000'000}, {"GB", 1000'000'000}};
    for (const auto& u : decimal)
        if (unit == u.name)
            return multiply(value, u.factor);
    static constexpr Unit binary[] = {{"", 1},           {"B", 1},
                                      {"K", 1ull << 10}, {"KiB", 1ull << 10},
                                      {"M", 1ull << 20}, {"MiB", 1ull << 20},
                                      {"G", 1ull << 30}, {"GiB", 1ull << 30}};
    for (const auto& u : binary)
        if (iequals(unit, u.name))
            return multiply(value, u.factor);
    return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    const auto parts = split_number(text);
    if (!parts)
        return std::nullopt;
    const auto [value, unit] = *parts;
    if (unit == "us") // below a millisecond: round up so "1us" is not zero
        return std::chrono::milliseconds(value / 1000 + (value % 1000 != 0)); // no wrap
    struct Unit {
        std::string_view name;
        std::uint64_t millis;
    };
    static constexpr Unit units[] = {{"ms", 1},     {"", 1000},      {"s", 1000},
                                     {"m", 60'000}, {"min", 60'000}, {"h", 3'600'000}};
    for (const auto& u : units) {
        if (unit == u.name) {
            const auto millis = multiply(value, u.millis);
            if (!millis || *millis > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
                return std::nullopt;
            return std::chrono::milliseconds(static_cast<std::int64_t>(*millis));
        }
    }
    return std::nullopt;
}

std::optional<std::chrono::microseconds> parse_fine_duration(std::string_view text) noexcept {
    const auto parts = split_number(text);
    if (!parts)
        return std::nullopt;
    if (parts->second == "us") {
        if (parts->first > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            return std::nullopt;
        return std::chrono::microseconds(static_cast<std::int64_t>(parts->first));
    }
    const auto millis = parse_duration(text);
    if (!millis || millis->count() > std::numeric_limits<std::int64_t>::max() / 1000)
        return std::nullopt;
    return std::chrono::microseconds(*millis);
}

std::string format_byte_size(std::uint64_t bytes) {
    if (bytes != 0) {
        for (auto [shift, name] :
             {std::pair{30, "GiB"}, std::pair{20, "MiB"}, std::pair{10, "KiB"}})
            if (bytes % (1ull << shift) == 0)
                return std::to_string(bytes >> shift) + name;
    }
    return std::to_string(bytes) + "B";
}

std::string format_duration(std::chrono::milliseconds duration) {
    const auto ms = duration.count();
    if (ms != 0 && ms % 60'000 == 0)
        return std::to_string(ms / 60'000) + "m";
    if (ms != 0 && ms % 1000 == 0)
        return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

} // namespace switchboard
