// switchboard-cli: a command-line client for the switchboard relay (see --help).
#include "arguments.hpp"
#include "interactive.hpp"
#include "one_shot.hpp"
#include "output.hpp"

#include <exception>

int main(int argc, char** argv) {
    using namespace switchboard::cli;
    const Arguments arguments = parse_arguments(argc, argv);
    if (arguments.action == Arguments::Action::print_and_exit)
        return arguments.print(std::cout, std::cerr);
    try {
        const Options& options = arguments.options;
        return options.one_shot() ? run_one_shot(options) : run_interactive(options);
    } catch (const std::exception& e) {
        print_error(e.what());
        return 1;
    }
}
