// Config::validate(): the defaults are consistent, and each inconsistent value is reported.
// The wording of the messages is not part of the contract; that they exist, are non-empty and
// tell different faults apart is.
#include <switchboard/config.hpp>
#include <switchboard/units.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using switchboard::Config;
using namespace switchboard::literals;

namespace {

/// The defaults with one change applied.
Config with(const std::function<void(Config&)>& change) {
    Config config;
    change(config);
    return config;
}

bool rejected(const Config& config) {
    const auto error = config.validate();
    return error.has_value() && !error->empty();
}

} // namespace

TEST_CASE("The default configuration is valid") {
    const Config config;
    CHECK(config.validate() == std::nullopt);
}

TEST_CASE("The defaults are those of the protocol document") {
    const Config config;
    CHECK(config.max_frame == 1024u * 1024u);
    CHECK(config.high_water == 4u * 1024u * 1024u);
    CHECK(config.low_water == 1024u * 1024u);
    CHECK(config.slow_consumer_timeout == 30s);
    CHECK(config.max_connections == 10'000u);
    CHECK(config.drain_timeout == 5s);
    CHECK_FALSE(config.error_notices);
}

TEST_CASE("A low water mark above the high water mark is rejected") {
    CHECK(rejected(with([](Config& c) {
        c.high_water = 2_MiB;
        c.low_water = 2_MiB + 1;
    })));
}

TEST_CASE("A low water mark equal to the high water mark, or zero, is accepted") {
    CHECK(with([](Config& c) {
              c.high_water = 2_MiB;
              c.low_water = 2_MiB;
          }).validate() == std::nullopt);
    CHECK(with([](Config& c) { c.low_water = 0; }).validate() == std::nullopt);
}

TEST_CASE("Zero max_connections is rejected and one is accepted") {
    CHECK(rejected(with([](Config& c) { c.max_connections = 0; })));
    CHECK(with([](Config& c) { c.max_connections = 1; }).validate() == std::nullopt);
}

TEST_CASE("A zero high water mark is rejected") {
    // Low water is zero too, so that only the high water mark is wrong.
    CHECK(rejected(with([](Config& c) {
        c.high_water = 0;
        c.low_water = 0;
    })));
    CHECK(with([](Config& c) {
              c.high_water = 1;
              c.low_water = 0;
          }).validate() == std::nullopt);
}

TEST_CASE("A max_frame below five bytes is rejected and five is accepted") {
    for (std::size_t bad : {0u, 1u, 4u}) {
        INFO("max_frame " << bad);
        CHECK(rejected(with([bad](Config& c) { c.max_frame = bad; })));
    }
    CHECK(with([](Config& c) { c.max_frame = 5; }).validate() == std::nullopt);
}

TEST_CASE("A zero or negative slow_consumer_timeout is rejected") {
    for (std::chrono::milliseconds bad : {0ms, -1ms, -30'000ms}) {
        INFO("slow_consumer_timeout " << bad.count() << "ms");
        CHECK(rejected(with([bad](Config& c) { c.slow_consumer_timeout = bad; })));
    }
    CHECK(with([](Config& c) { c.slow_consumer_timeout = 1ms; }).validate() == std::nullopt);
}

TEST_CASE("An empty listen host is rejected") {
    CHECK(rejected(with([](Config& c) { c.host.clear(); })));
}

TEST_CASE("A negative drain_timeout is rejected but zero is accepted") {
    CHECK(rejected(with([](Config& c) { c.drain_timeout = -1ms; })));
    CHECK(with([](Config& c) { c.drain_timeout = 0ms; }).validate() == std::nullopt);
}

TEST_CASE("Different faults are described differently") {
    const std::vector<Config> faulty = {
        with([](Config& c) { c.max_frame = 4; }),
        with([](Config& c) {
            c.high_water = 0;
            c.low_water = 0;
        }),
        with([](Config& c) { c.low_water = c.high_water + 1; }),
        with([](Config& c) { c.slow_consumer_timeout = 0ms; }),
        with([](Config& c) { c.max_connections = 0; }),
        with([](Config& c) { c.drain_timeout = -1ms; }),
        with([](Config& c) { c.host.clear(); }),
    };
    std::set<std::string> messages;
    for (const auto& config : faulty) {
        const auto error = config.validate();
        REQUIRE(error.has_value());
        messages.insert(*error);
    }
    CHECK(messages.size() == faulty.size());
}
