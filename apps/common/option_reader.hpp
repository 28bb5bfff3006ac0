// Reading the values of a parsed command line, each kind of value in one place and every bad
// value worded the same way: "--NAME: 'VALUE' is not EXPECTED", so a user (and a test) always
// sees which option and which value are at fault. Options are declared as text (text_value())
// and read here, rather than typed, so that a bad number gets this wording too and not the
// parser's.
#pragma once

#include "host_port.hpp"

#include <boost/program_options/value_semantic.hpp>
#include <boost/program_options/variables_map.hpp>

#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::apps {

namespace detail {
/// The number a field holds: T for T and for std::optional<T>.
template <typename T>
struct ValueOf {
    using type = T;
};
template <typename T>
struct ValueOf<std::optional<T>> {
    using type = T;
};
} // namespace detail

/// How an option that takes a value is declared, for OptionReader to read it: as its text.
inline boost::program_options::typed_value<std::string>* text_value() {
    return boost::program_options::value<std::string>();
}

/// Whether a duration option takes 0 ("no wait at all").
enum class Zero { allowed, refused };

/// Reads option values into the caller's fields. An option not given leaves its field alone
/// (the default stays); a bad value leaves it alone too and records the error. The first
/// error wins: it is the one the user sees, naming the earliest option at fault.
class OptionReader {
public:
    explicit OptionReader(const boost::program_options::variables_map& values)
        : values_(values) {}

    /// Whether option `name` was given (a flag, or a value of any kind).
    bool given(std::string_view name) const;
    /// The text given for option `name`, or nullptr.
    const std::string* text(std::string_view name) const;

    /// A whole number from `min` to `max` (by default, as large as `out` holds), decimal.
    /// `out` may be an integer or a std::optional of one.
    template <typename Field, typename Value = typename detail::ValueOf<Field>::type>
    void number(std::string_view name, Field& out, std::uint64_t min = 0,
                std::uint64_t max = std::numeric_limits<Value>::max()) {
        assert(min <= max && max <= std::numeric_limits<Value>::max());
        // The wording names a maximum only if it is the caller's, not merely the type's.
        const bool bounded = max < std::numeric_limits<Value>::max();
        if (const auto n = whole_number(name, min, max, bounded))
            out = static_cast<Value>(*n);
    }
    /// A byte size: "65536", "64KiB", "1MiB", "10kB" (switchboard::parse_byte_size), at most
    /// `max` bytes.
    void byte_size(std::string_view name, std::size_t& out,
                   std::uint64_t max = std::numeric_limits<std::size_t>::max());
    /// A duration to the millisecond: "500ms", "30s", "2m"; a bare number is seconds.
    void duration(std::string_view name, std::chrono::milliseconds& out, Zero zero);
    /// A duration to the microsecond ("50us", "2ms", "0"), at most `max`.
    void fine_duration(std::string_view name, std::chrono::microseconds& out,
                       std::chrono::microseconds max);
    /// A HOST:PORT that `rules` allow (listen_rules, connect_rules).
    void host_port(std::string_view name, HostPort& out, const HostPortRules& rules);
    /// A value of the program's own kind: `parse(text)` gives an optional, nullopt for a bad
    /// value, which is then reported as not `expected` ("one of trace, debug, ...").
    template <typename Field, typename Parse>
    void parsed(std::string_view name, Field& out, Parse&& parse, std::string_view expected) {
        const std::string* value = text(name);
        if (!value)
            return;
        if (auto result = parse(*value))
            out = *std::move(result);
        else
            fail(name, *value, expected);
    }

    /// Records "--NAME: 'VALUE' is not EXPECTED", unless an earlier error is recorded.
    void fail(std::string_view name, std::string_view value, std::string_view expected);
    /// Records "--NAME: PROBLEM" for a mistake that is not one value's (a combination of
    /// options, say), unless an earlier error is recorded.
    void fail(std::string_view name, std::string_view problem);

    bool failed() const noexcept { return !error_.empty(); }
    /// The first error recorded, or empty.
    const std::string& error() const noexcept { return error_; }

private:
    /// The number given for `name` if it is within [min, max]; a bad value is reported with
    /// its maximum if `bounded`.
    std::optional<std::uint64_t> whole_number(std::string_view name, std::uint64_t min,
                                              std::uint64_t max, bool bounded);

    const boost::program_options::variables_map& values_;
    std::string error_;
};

} // namespace switchboard::apps
