// What the three programs' command lines have in common around their own options: --help and
// --version, the usage error and its exit status, and the verdict a parse comes to (run, or
// print a message and exit). Each program states its name and usage text once, as a Program.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/positional_options.hpp>
#include <boost/program_options/variables_map.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::apps {

/// Why a program stops before it runs, and what it says: help or version (exit status 0, on
/// standard output) or a usage error (exit status 2, on standard error).
struct Exit {
    std::string message;
    int exit_code = 0;
};

/// The exit status of a usage error, as in the GNU tools: 1 stays free for "the run failed".
inline constexpr int usage_error_status = 2;

enum class Action { run, print_and_exit };

/// What a program's command line comes to: run with `options`, or print and exit.
template <typename Options>
struct CommandLine {
    using Action = apps::Action;
    Action action = Action::run;
    Options options;
    /// For print_and_exit: what to print (help, version, or the error).
    std::string message;
    /// For print_and_exit: 0 for help and version, 2 for a usage error.
    int exit_code = 0;

    CommandLine() = default;
    /// print_and_exit: implicit, so a parse function can `return program.usage_error(...)`.
    CommandLine(Exit exit)
        : action(Action::print_and_exit)
        , message(std::move(exit.message))
        , exit_code(exit.exit_code) {}

    /// For print_and_exit: prints the message where it belongs (`out` for exit status 0,
    /// else `err`) and returns the exit status.
    int print(std::ostream& out, std::ostream& err) const {
        (exit_code == 0 ? out : err) << message << '\n';
        return exit_code;
    }
};

namespace po = boost::program_options;

/// A program as its command line presents it.
class Program {
public:
    /// `name` as its messages and --version say it; `usage` is what --help prints above the
    /// options. Both must outlive the Program (string literals, as a rule).
    constexpr Program(std::string_view name, std::string_view usage) noexcept
        : name_(name)
        , usage_(usage) {}

    std::string_view name() const noexcept { return name_; }

    /// The usage text, a blank line, and `options` as Boost.Program_options lists them.
    Exit help(const po::options_description& options) const;
    /// "NAME VERSION (protocol N)".
    Exit version() const;
    /// "NAME: MESSAGE\nTry 'NAME --help' for more.", exit status 2.
    Exit usage_error(std::string_view message) const;

    /// Appends --version and --help to `options` (the last two lines of every program's help),
    /// parses argv against them and `hidden` into `values`, with `positional` naming the
    /// options that words without a dash fill (none by default: a stray word is an error, not
    /// silently ignored). Returns what to print instead of running, if anything: the help, the
    /// version, or the usage error for a command line the parser refuses (an unknown option, a
    /// missing value, ...). The values themselves are the caller's to check (OptionReader).
    std::optional<Exit> parse(int argc, const char* const* argv, po::options_description& options,
                              po::variables_map& values,
                              const po::options_description& hidden = po::options_description(),
                              const po::positional_options_description& positional =
                                  po::positional_options_description()) const;

private:
    std::string_view name_;
    std::string_view usage_;
};

} // namespace switchboard::apps
