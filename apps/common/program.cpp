#include "program.hpp"

#include <switchboard/version.hpp>

#include <boost/program_options/parsers.hpp>

#include <sstream>

namespace switchboard::apps {

Exit Program::help(const po::options_description& options) const {
    std::ostringstream out;
    out << usage_ << "\n" << options;
    return {out.str(), 0};
}

Exit Program::version() const {
    return {std::string(name_) + " " + switchboard::version + " (protocol " +
                std::to_string(protocol_version) + ")",
            0};
}

Exit Program::usage_error(std::string_view message) const {
    const std::string name(name_);
    return {name + ": " + std::string(message) + "\nTry '" + name + " --help' for more.",
            usage_error_status};
}

std::optional<Exit> Program::parse(int argc, const char* const* argv,
                                   po::options_description& options, po::variables_map& values,
                                   const po::options_description& hidden,
                                   const po::positional_options_description& positional) const {
    // clang-format off
    options.add_options()
        ("version", "print the version and exit")
        ("help,h", "print this help and exit");
    // clang-format on
    po::options_description all;
    all.add(options).add(hidden);
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  values);
        po::notify(values);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }
    // --help before --version: someone who asks for both wants to read.
    if (values.count("help"))
        return help(options);
    if (values.count("version"))
        return version();
    return std::nullopt;
}

} // namespace switchboard::apps
