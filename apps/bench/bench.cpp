#include "bench.hpp"

#include "failure.hpp"
#include "modes.hpp"
#include "open_files.hpp"
#include "options.hpp"
#include "report.hpp"

#include <exception>

namespace switchboard::bench {

namespace {

/// File descriptors a run needs beyond the ones every process has.
std::uint64_t descriptors_needed(const Options& options) {
    switch (options.mode) {
    case Mode::idle:
        return options.connections + 32;
    case Mode::scaling:
        return options.connections + 2 * options.pairs + 32;
    default:
        return 2 * options.pairs + 32;
    }
}

template <typename Result>
void print(std::ostream& out, const Options& options, const Result& result) {
    if (options.json)
        out << json_record(options, result) << '\n';
    else
        print_summary(out, options, result);
    out.flush();
}

} // namespace

int run_bench(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
              bool progress_wanted) {
    const CommandLine command_line = parse_command_line(argc, argv);
    if (command_line.action == CommandLine::Action::print_and_exit) {
        (command_line.exit_code == 0 ? out : err) << command_line.message << '\n';
        return command_line.exit_code;
    }
    const Options& options = command_line.options;
    try {
        // Thousands of connections need more descriptors than the usual soft limit of 1024.
        const std::uint64_t limit = apps::raise_open_files_limit();
        if (limit < descriptors_needed(options))
            throw BenchError("the open files limit is " + std::to_string(limit) + ", below the " +
                             std::to_string(descriptors_needed(options)) +
                             " descriptors this run needs (raise the hard limit: ulimit -Hn)");
        Progress progress(progress_wanted ? &err : nullptr);
        switch (options.mode) {
        case Mode::throughput:
            print(out, options, run_throughput(options, progress));
            break;
        case Mode::direct:
            print(out, options, run_direct(options, progress));
            break;
        case Mode::latency:
            print(out, options, run_latency(options, progress));
            break;
        case Mode::idle:
            print(out, options, run_idle(options, progress));
            break;
        case Mode::scaling:
            print(out, options, run_scaling(options, progress));
            break;
        }
        return 0;
    } catch (const std::exception& e) {
        err << "switchboard-bench: " << e.what() << '\n';
        return 1;
    }
}

} // namespace switchboard::bench
