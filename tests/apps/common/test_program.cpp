// --help, --version and the usage error, and the verdict a parse comes to: what every program's
// command line does before it reads its own options.
#include "program.hpp"

#include <switchboard/version.hpp>

#include <boost/program_options/value_semantic.hpp>
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace switchboard;
using namespace switchboard::apps;

namespace {

constexpr Program demo{"demo", "Usage: demo [--level N]\n\nDoes nothing, with options.\n"};

struct Parsed {
    std::optional<Exit> exit;
    po::variables_map values;
};

/// Parses `args` against one option (--level N), and with `mode` as a positional option.
Parsed parse(std::vector<const char*> args, bool mode = false) {
    args.insert(args.begin(), "demo");
    po::options_description options("Options");
    options.add_options()("level", po::value<std::string>()->value_name("N"), "how much");
    po::options_description hidden;
    po::positional_options_description positional;
    if (mode) {
        hidden.add_options()("mode", po::value<std::string>());
        positional.add("mode", 1);
    }
    Parsed parsed;
    parsed.exit = demo.parse(static_cast<int>(args.size()), args.data(), options, parsed.values,
                             hidden, positional);
    return parsed;
}

} // namespace

TEST_CASE("program command line: --help prints the usage, then every option, exit 0", "[program]") {
    for (const char* flag : {"--help", "-h"}) {
        INFO(flag);
        const Parsed parsed = parse({flag});
        REQUIRE(parsed.exit.has_value());
        CHECK(parsed.exit->exit_code == 0);
        const std::string& help = parsed.exit->message;
        CHECK(help.starts_with("Usage: demo [--level N]\n\nDoes nothing, with options.\n\n"));
        CHECK(help.find("Options:") != std::string::npos);
        const auto level = help.find("--level N");
        const auto version = help.find("--version");
        const auto help_flag = help.find("-h [ --help ]");
        CHECK(level != std::string::npos);
        // --version and --help close every program's list.
        CHECK(version > level);
        CHECK(help_flag > version);
        CHECK(help_flag != std::string::npos);
    }
    // Asked for both, the help: someone who asks for both wants to read.
    CHECK(parse({"--version", "--help"}).exit->message.starts_with("Usage: demo"));
    // The hidden positional option is not listed.
    CHECK(parse({"--help"}, true).exit->message.find("mode") == std::string::npos);
}

TEST_CASE("program command line: --version prints NAME VERSION (protocol N), exit 0", "[program]") {
    const Parsed parsed = parse({"--version"});
    REQUIRE(parsed.exit.has_value());
    CHECK(parsed.exit->exit_code == 0);
    CHECK(parsed.exit->message == std::string("demo ") + switchboard::version + " (protocol " +
                                      std::to_string(protocol_version) + ")");
    CHECK(demo.version().message == parsed.exit->message);
}

TEST_CASE("program command line: a usage error names the program, points at --help, exit 2",
          "[program]") {
    const Exit error = demo.usage_error("--level: 'x' is not a whole number");
    CHECK(error.exit_code == 2);
    CHECK(error.message == "demo: --level: 'x' is not a whole number\n"
                           "Try 'demo --help' for more.");

    // What the parser itself refuses comes back the same way, naming what is at fault.
    struct Case {
        std::vector<const char*> args;
        const char* mentions;
    };
    for (const Case& c : {Case{{"--bogus"}, "bogus"}, Case{{"--level"}, "level"},
                          Case{{"stray"}, "positional"}, Case{{"one", "two"}, "positional"}}) {
        INFO(c.args.front());
        const Parsed parsed = parse(c.args, c.args.size() == 2);
        REQUIRE(parsed.exit.has_value());
        CHECK(parsed.exit->exit_code == 2);
        CHECK(parsed.exit->message.starts_with("demo: "));
        CHECK(parsed.exit->message.find(c.mentions) != std::string::npos);
        CHECK(parsed.exit->message.ends_with("\nTry 'demo --help' for more."));
    }
}

TEST_CASE("program command line: a good command line leaves the values to read", "[program]") {
    const Parsed plain = parse({"--level", "3"});
    CHECK_FALSE(plain.exit.has_value());
    CHECK(plain.values["level"].as<std::string>() == "3");

    const Parsed positional = parse({"fast", "--level", "1"}, true);
    CHECK_FALSE(positional.exit.has_value());
    CHECK(positional.values["mode"].as<std::string>() == "fast");
    CHECK(parse({}).values.empty());
}

TEST_CASE("program command line: the verdict runs, or prints where its exit code says",
          "[program]") {
    struct Options {
        int level = 7;
    };
    const CommandLine<Options> run;
    CHECK(run.action == Action::run);
    CHECK(run.options.level == 7);
    CHECK(run.exit_code == 0);

    const CommandLine<Options> help = demo.version();
    CHECK(help.action == Action::print_and_exit);
    std::ostringstream out;
    std::ostringstream err;
    CHECK(help.print(out, err) == 0);
    CHECK(out.str() == help.message + "\n");
    CHECK(err.str().empty());

    const CommandLine<Options> error = demo.usage_error("no");
    CHECK(error.action == CommandLine<Options>::Action::print_and_exit);
    std::ostringstream out2;
    std::ostringstream err2;
    CHECK(error.print(out2, err2) == 2);
    CHECK(out2.str().empty());
    CHECK(err2.str() == "demo: no\nTry 'demo --help' for more.\n");
}
