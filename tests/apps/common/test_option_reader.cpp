// The option readers: each kind of value with its range and units, absent options left at
// their defaults, and every bad value reported as "--NAME: 'VALUE' is not EXPECTED".
#include "option_reader.hpp"
#include "program.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace switchboard::apps;
using namespace std::chrono_literals;

namespace {

/// A command line of one option, `--value=TEXT` (so that "-1" is a value, not an option; an
/// empty value as a word of its own, the only way to give one), or of none for a null `text`.
class Given {
public:
    explicit Given(const char* text) {
        po::options_description options;
        options.add_options()("value", text_value(), "")("flag", "");
        const std::string value = text ? "--value=" + std::string(text) : "";
        std::vector<const char*> argv{"test"};
        if (text && *text)
            argv.push_back(value.c_str());
        else if (text)
            argv.insert(argv.end(), {"--value", ""});
        constexpr Program program{"test", ""};
        REQUIRE_FALSE(program.parse(static_cast<int>(argv.size()), argv.data(), options, values_));
    }
    OptionReader reader() const { return OptionReader(values_); }

private:
    po::variables_map values_;
};

/// Reads `text` with `read` into a field starting at `start`: the field afterwards, and the
/// error (empty if none).
template <typename Field, typename Read>
std::pair<Field, std::string> read_into(const char* text, Field start, Read read) {
    Given given(text);
    OptionReader reader = given.reader();
    read(reader, start);
    return {start, reader.error()};
}

} // namespace

TEST_CASE("option reader: whole numbers within their range", "[option-reader]") {
    auto from_1_to_10 = [](OptionReader& r, unsigned& out) { r.number("value", out, 1, 10); };
    CHECK(read_into(nullptr, 5u, from_1_to_10) == std::pair{5u, std::string()}); // default stays
    CHECK(read_into("1", 5u, from_1_to_10).first == 1u);
    CHECK(read_into("10", 5u, from_1_to_10).first == 10u);
    CHECK(read_into("007", 5u, from_1_to_10).first == 7u);
    for (const char* bad : {"0", "11", "-1", "", "x", "1.5", "1e1", " 3", "3 ", "+3", "0x3",
                            "18446744073709551616"}) {
        INFO(bad);
        const auto [value, error] = read_into(bad, 5u, from_1_to_10);
        CHECK(value == 5u); // a bad value leaves the field alone
        CHECK(error == "--value: '" + std::string(bad) + "' is not a whole number from 1 to 10");
    }

    // Without a maximum, as large as the field holds; the wording says only what applies.
    auto any = [](OptionReader& r, std::size_t& out) { r.number("value", out); };
    CHECK(read_into("18446744073709551615", std::size_t{0}, any).first ==
          std::size_t{18446744073709551615u});
    CHECK(read_into("many", std::size_t{0}, any).second == "--value: 'many' is not a whole number");
    auto at_least_1 = [](OptionReader& r, std::size_t& out) { r.number("value", out, 1); };
    CHECK(read_into("0", std::size_t{4}, at_least_1).second ==
          "--value: '0' is not a whole number of at least 1");
    auto small = [](OptionReader& r, std::uint8_t& out) { r.number("value", out); };
    CHECK(read_into("255", std::uint8_t{0}, small).first == 255);
    CHECK(read_into("256", std::uint8_t{0}, small).second ==
          "--value: '256' is not a whole number");

    // An optional field is set only when the option is given.
    auto pid = [](OptionReader& r, std::optional<int>& out) { r.number("value", out, 1, 99); };
    CHECK_FALSE(read_into(nullptr, std::optional<int>(), pid).first.has_value());
    CHECK(read_into("42", std::optional<int>(), pid).first == 42);
    CHECK_FALSE(read_into("100", std::optional<int>(), pid).first.has_value());
}

TEST_CASE("option reader: byte sizes take binary and decimal units, up to a maximum",
          "[option-reader]") {
    auto size = [](OptionReader& r, std::size_t& out) { r.byte_size("value", out); };
    struct Case {
        const char* text;
        std::size_t bytes;
    };
    for (const Case& c :
         {Case{"100", 100}, Case{"64B", 64}, Case{"64KiB", 65536}, Case{"4K", 4096},
          Case{"1MiB", 1 << 20}, Case{"2M", 2 << 20}, Case{"1GiB", std::size_t{1} << 30},
          Case{"10kB", 10'000}, Case{"2MB", 2'000'000}, Case{"0", 0}}) {
        INFO(c.text);
        CHECK(read_into(c.text, std::size_t{7}, size) == std::pair{c.bytes, std::string()});
    }
    for (const char* bad : {"lots", "", "-1", "1.5MiB", "1XB", "KiB", "99999999999999999999"}) {
        INFO(bad);
        CHECK(read_into(bad, std::size_t{7}, size) ==
              std::pair{std::size_t{7}, "--value: '" + std::string(bad) +
                                            "' is not a byte size (e.g. 64KiB, 1MiB)"});
    }
    auto bounded = [](OptionReader& r, std::size_t& out) { r.byte_size("value", out, 64 << 20); };
    CHECK(read_into("64MiB", std::size_t{7}, bounded).first == std::size_t{64} << 20);
    CHECK(read_into("67108865", std::size_t{7}, bounded).second ==
          "--value: '67108865' is not a byte size up to 64MiB");
    CHECK(read_into("lots", std::size_t{7}, bounded).second ==
          "--value: 'lots' is not a byte size up to 64MiB");
}

TEST_CASE("option reader: durations take units, a bare number is seconds, 0 where allowed",
          "[option-reader]") {
    using ms = std::chrono::milliseconds;
    auto any = [](OptionReader& r, ms& out) { r.duration("value", out, Zero::allowed); };
    auto positive = [](OptionReader& r, ms& out) { r.duration("value", out, Zero::refused); };
    struct Case {
        const char* text;
        ms duration;
    };
    for (const Case& c : {Case{"500ms", 500ms}, Case{"30s", 30s}, Case{"30", 30s}, Case{"2m", 2min},
                          Case{"1h", 1h}}) {
        INFO(c.text);
        CHECK(read_into(c.text, ms(9), any) == std::pair{c.duration, std::string()});
        CHECK(read_into(c.text, ms(9), positive) == std::pair{c.duration, std::string()});
    }
    CHECK(read_into(nullptr, ms(9), positive).first == ms(9));
    CHECK(read_into("0", ms(9), any).first == ms(0));
    CHECK(
        read_into("0s", ms(9), positive) ==
        std::pair{ms(9), std::string("--value: '0s' is not a duration above 0 (e.g. 500ms, 5s)")});
    for (const char* bad : {"soon", "", "-1s", "1.5s", "3days"}) {
        INFO(bad);
        CHECK(read_into(bad, ms(9), any) ==
              std::pair{ms(9),
                        "--value: '" + std::string(bad) + "' is not a duration (e.g. 500ms, 5s)"});
    }
}

TEST_CASE("option reader: fine durations keep microseconds, up to a maximum", "[option-reader]") {
    using us = std::chrono::microseconds;
    auto spin = [](OptionReader& r, us& out) { r.fine_duration("value", out, 1s); };
    struct Case {
        const char* text;
        us duration;
    };
    for (const Case& c : {Case{"50us", us(50)}, Case{"2ms", 2ms}, Case{"0", us(0)}, Case{"1s", 1s},
                          Case{"1000ms", 1s}}) {
        INFO(c.text);
        CHECK(read_into(c.text, us(7), spin) == std::pair{c.duration, std::string()});
    }
    for (const char* bad : {"1001ms", "2s", "forever", "-5us", ""}) {
        INFO(bad);
        CHECK(read_into(bad, us(7), spin) ==
              std::pair{us(7), "--value: '" + std::string(bad) +
                                   "' is not a duration up to 1s (e.g. 50us, 0)"});
    }
    auto tiny = [](OptionReader& r, us& out) { r.fine_duration("value", out, us(250)); };
    CHECK(read_into("251us", us(7), tiny).second ==
          "--value: '251us' is not a duration up to 250us (e.g. 50us, 0)");
}

TEST_CASE("option reader: host:port under the rules given, worded by them", "[option-reader]") {
    auto listen = [](OptionReader& r, HostPort& out) { r.host_port("value", out, listen_rules); };
    auto connect = [](OptionReader& r, HostPort& out) { r.host_port("value", out, connect_rules); };
    const HostPort start{"127.0.0.1", 8080};
    CHECK(read_into("[::1]:0", start, listen).first.host == "::1");
    CHECK(read_into("[::1]:0", start, listen).first.port == 0);
    CHECK(read_into("localhost:9", start, connect).first.host == "localhost");
    const auto [kept, error] = read_into("localhost:9", start, listen);
    CHECK(kept.host == "127.0.0.1");
    CHECK(kept.port == 8080);
    CHECK(error == "--value: 'localhost:9' is not " + std::string(listen_rules.description));
    CHECK(read_into("localhost:0", start, connect).second ==
          "--value: 'localhost:0' is not " + std::string(connect_rules.description));
}

TEST_CASE("option reader: values of the program's own kind, flags, and the first error",
          "[option-reader]") {
    auto parse_colour = [](const std::string& text) {
        return text == "red" ? std::optional<int>(1) : std::nullopt;
    };
    auto colour = [&](OptionReader& r, int& out) {
        r.parsed("value", out, parse_colour, "one of red");
    };
    CHECK(read_into("red", 0, colour) == std::pair{1, std::string()});
    CHECK(read_into("blue", 0, colour) ==
          std::pair{0, std::string("--value: 'blue' is not one of red")});
    CHECK(read_into(nullptr, 0, colour) == std::pair{0, std::string()});

    Given given("x");
    OptionReader reader = given.reader();
    CHECK(reader.given("value"));
    CHECK_FALSE(reader.given("flag"));
    REQUIRE(reader.text("value"));
    CHECK(*reader.text("value") == "x");
    CHECK(reader.text("flag") == nullptr);
    CHECK_FALSE(reader.failed());
    // The first error is the one the user sees; later ones do not replace it.
    reader.fail("value", "needs --flag");
    int n = 3;
    reader.number("value", n);
    CHECK(n == 3);
    CHECK(reader.failed());
    CHECK(reader.error() == "--value: needs --flag");
}
