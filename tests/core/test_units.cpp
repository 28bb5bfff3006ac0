// Byte sizes and durations as written on command lines and in configs.
#include <switchboard/units.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>

using namespace std::chrono_literals;
using std::chrono::milliseconds;
using switchboard::format_byte_size;
using switchboard::format_duration;
using switchboard::parse_byte_size;
using switchboard::parse_duration;

namespace {

constexpr std::uint64_t KiB = 1024;
constexpr std::uint64_t MiB = 1024 * KiB;
constexpr std::uint64_t GiB = 1024 * MiB;
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

} // namespace

TEST_CASE("Byte sizes with binary units are multiples of 1024") {
    CHECK(parse_byte_size("1MiB") == MiB);
    CHECK(parse_byte_size("512KiB") == 512 * KiB);
    CHECK(parse_byte_size("4M") == 4 * MiB);
    CHECK(parse_byte_size("8K") == 8 * KiB);
    CHECK(parse_byte_size("2G") == 2 * GiB);
    CHECK(parse_byte_size("3GiB") == 3 * GiB);
}

TEST_CASE("The size literals are binary units") {
    using namespace switchboard::literals;
    STATIC_REQUIRE(1_KiB == 1024);
    STATIC_REQUIRE(512_KiB == 512 * KiB);
    STATIC_REQUIRE(4_MiB == 4 * MiB);
    STATIC_REQUIRE(2_GiB == 2 * GiB);
}

TEST_CASE("Byte sizes with kB and MB are decimal") {
    CHECK(parse_byte_size("10kB") == 10'000u);
    CHECK(parse_byte_size("10KB") == 10'000u);
    CHECK(parse_byte_size("2MB") == 2'000'000u);
    CHECK(parse_byte_size("5GB") == 5'000'000'000u);
}

TEST_CASE("The case of a binary byte unit does not matter") {
    CHECK(parse_byte_size("1mib") == MiB);
    CHECK(parse_byte_size("1MIB") == MiB);
    CHECK(parse_byte_size("3k") == 3 * KiB);
    CHECK(parse_byte_size("64b") == 64u);
}

TEST_CASE("A byte size in B or without a unit is a number of bytes") {
    CHECK(parse_byte_size("64B") == 64u);
    CHECK(parse_byte_size("1048576") == 1'048'576u);
    CHECK(parse_byte_size("0") == 0u);
    CHECK(parse_byte_size("0MiB") == 0u);
}

TEST_CASE("Byte sizes that are not a number and a known unit are rejected") {
    for (const char* text : {"", "MiB", "B", "abc", "1.5M", "1,000", "1TB", "1 0", "1MiBs", "0x10",
                             "1e3", "one", "1KiB1"}) {
        INFO("'" << text << "'");
        CHECK_FALSE(parse_byte_size(text).has_value());
    }
}

TEST_CASE("Negative byte sizes are rejected") {
    CHECK_FALSE(parse_byte_size("-1").has_value());
    CHECK_FALSE(parse_byte_size("-1MiB").has_value());
    CHECK_FALSE(parse_byte_size("-0").has_value());
}

TEST_CASE("Byte sizes beyond 64 bits are rejected, right up to the boundary") {
    CHECK(parse_byte_size("18446744073709551615") == u64_max);
    CHECK_FALSE(parse_byte_size("18446744073709551616").has_value());
    CHECK_FALSE(parse_byte_size("99999999999999999999999").has_value());
    // 2^34 GiB is 2^64 bytes: one too many.
    CHECK(parse_byte_size("17179869183GiB") == (17179869183ull << 30));
    CHECK_FALSE(parse_byte_size("17179869184GiB").has_value());
    CHECK(parse_byte_size("18446744073709551kB") == 18446744073709551000ull);
    CHECK_FALSE(parse_byte_size("18446744073709552kB").has_value());
}

TEST_CASE("Durations take ms, s, m, min and h, and a bare number means seconds") {
    CHECK(parse_duration("30s") == 30'000ms);
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("2m") == 120'000ms);
    CHECK(parse_duration("2min") == 120'000ms);
    CHECK(parse_duration("1h") == 3'600'000ms);
    CHECK(parse_duration("45") == 45'000ms);
    CHECK(parse_duration("0") == 0ms);
    CHECK(parse_duration("0ms") == 0ms);
}

TEST_CASE("Microsecond durations round up to whole milliseconds") {
    CHECK(parse_duration("0us") == 0ms);
    CHECK(parse_duration("1us") == 1ms);
    CHECK(parse_duration("250us") == 1ms);
    CHECK(parse_duration("1000us") == 1ms);
    CHECK(parse_duration("1001us") == 2ms);
}

// Regression: rounding up with "(value + 999) / 1000" wrapped to 0ms for the largest values.
TEST_CASE("The largest microsecond durations do not wrap around to zero") {
    const auto d = parse_duration("18446744073709551615us");
    INFO("parsed as " << (d ? std::to_string(d->count()) + "ms" : std::string("nullopt")));
    // 18446744073709551.615 ms rounds up to ...552 ms, which fits; nullopt would also be honest.
    CHECK((!d.has_value() || d->count() == 18446744073709552));
}

TEST_CASE("Durations that are not a number and a known unit are rejected") {
    for (const char* text :
         {"", "s", "ms", "abc", "1.5s", "1d", "10 parsecs", "5sec", "1hh", "s5", "1e3s"}) {
        INFO("'" << text << "'");
        CHECK_FALSE(parse_duration(text).has_value());
    }
}

TEST_CASE("Negative durations are rejected") {
    CHECK_FALSE(parse_duration("-1s").has_value());
    CHECK_FALSE(parse_duration("-5").has_value());
    CHECK_FALSE(parse_duration("-100ms").has_value());
}

TEST_CASE("Durations beyond the range of milliseconds are rejected, right up to the boundary") {
    CHECK(parse_duration("9223372036854775807ms") == milliseconds(i64_max));
    CHECK_FALSE(parse_duration("9223372036854775808ms").has_value());
    // i64_max / 3'600'000 = 2562047788015 (remainder 775807); i64_max / 1000 = 9223372036854775.
    CHECK(parse_duration("2562047788015h") == milliseconds(2562047788015 * 3'600'000));
    CHECK_FALSE(parse_duration("2562047788016h").has_value());
    CHECK(parse_duration("9223372036854775s") == milliseconds(9223372036854775 * 1000));
    CHECK_FALSE(parse_duration("9223372036854776s").has_value());
    CHECK_FALSE(parse_duration("18446744073709551616").has_value());
    CHECK_FALSE(parse_duration("18446744073709551615s").has_value());
}

TEST_CASE("Byte sizes are printed in the largest binary unit that divides them") {
    CHECK(format_byte_size(0) == "0B");
    CHECK(format_byte_size(1) == "1B");
    CHECK(format_byte_size(1000) == "1000B");
    CHECK(format_byte_size(1023) == "1023B");
    CHECK(format_byte_size(KiB) == "1KiB");
    CHECK(format_byte_size(KiB + KiB / 2) == "1536B");
    CHECK(format_byte_size(4 * KiB) == "4KiB");
    CHECK(format_byte_size(1536 * KiB) == "1536KiB");
    CHECK(format_byte_size(MiB) == "1MiB");
    CHECK(format_byte_size(3 * GiB) == "3GiB");
    CHECK(format_byte_size(1024 * GiB) == "1024GiB");
    CHECK(format_byte_size(u64_max) == "18446744073709551615B");
}

TEST_CASE("Durations are printed in minutes, seconds or milliseconds, whichever is exact") {
    CHECK(format_duration(0ms) == "0ms");
    CHECK(format_duration(1ms) == "1ms");
    CHECK(format_duration(500ms) == "500ms");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(1000ms) == "1s");
    CHECK(format_duration(30'000ms) == "30s");
    CHECK(format_duration(90'000ms) == "90s");
    CHECK(format_duration(60'000ms) == "1m");
    CHECK(format_duration(120'000ms) == "2m");
    CHECK(format_duration(3'600'000ms) == "60m");
}

TEST_CASE("A printed byte size parses back to the same number") {
    std::mt19937_64 rng(7);
    std::uint64_t first_mismatch = 0;
    bool all_equal = true;
    auto check = [&](std::uint64_t value) {
        if (all_equal && parse_byte_size(format_byte_size(value)) != value) {
            all_equal = false;
            first_mismatch = value;
        }
    };
    for (std::uint64_t value : {std::uint64_t{0}, std::uint64_t{1}, KiB, MiB, GiB, u64_max,
                                u64_max - 1, std::uint64_t{1} << 63})
        check(value);
    for (int i = 0; i < 20'000; ++i) {
        const std::uint64_t value = rng();
        check(value);
        check(value >> (value % 64));             // small and mid-sized numbers
        check((value % 100'000) << (value % 45)); // multiples of KiB, MiB and GiB
    }
    INFO("first mismatch: " << first_mismatch);
    CHECK(all_equal);
}

TEST_CASE("A printed duration parses back to the same duration") {
    std::mt19937_64 rng(11);
    std::int64_t first_mismatch = 0;
    bool all_equal = true;
    auto check = [&](std::int64_t ms) {
        if (all_equal && parse_duration(format_duration(milliseconds(ms))) != milliseconds(ms)) {
            all_equal = false;
            first_mismatch = ms;
        }
    };
    for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1}, std::int64_t{999}, std::int64_t{1000},
                            std::int64_t{60'000}, i64_max})
        check(ms);
    for (int i = 0; i < 20'000; ++i) {
        const auto value = static_cast<std::int64_t>(rng() >> 1);
        check(value);
        check(value % 10'000'000);
        check((value % 1000) * 1000);
        check((value % 1000) * 60'000);
    }
    INFO("first mismatch: " << first_mismatch << "ms");
    CHECK(all_equal);
}

TEST_CASE("Fine durations keep microseconds and read every other unit as parse_duration does") {
    using std::chrono::microseconds;
    CHECK(switchboard::parse_fine_duration("50us") == microseconds(50));
    CHECK(switchboard::parse_fine_duration("0") == microseconds(0));
    CHECK(switchboard::parse_fine_duration("3ms") == microseconds(3000));
    CHECK(switchboard::parse_fine_duration("2s") == microseconds(2'000'000));
    CHECK_FALSE(switchboard::parse_fine_duration("-5us"));
    CHECK_FALSE(switchboard::parse_fine_duration("5 parsecs"));
}
