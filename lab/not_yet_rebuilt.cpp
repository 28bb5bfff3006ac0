// Placeholder engines while the designs are rebuilt on the new core: each throws, so a
// server of a model not yet rebuilt cannot be started by mistake.
#include "lab/engines.hpp"

#include <stdexcept>

namespace switchboard::lab {

namespace {

[[noreturn]] void not_rebuilt(const char* model) {
    throw std::invalid_argument(std::string("the ") + model +
                                " model is being rebuilt on the new core");
}

} // namespace

std::shared_ptr<single_task::Engine> make_channels_engine(boost::asio::io_context&, const Config&,
                                                          const Options&) {
    not_rebuilt("channels");
}
std::shared_ptr<single_task::Engine> make_race_engine(boost::asio::io_context&, const Config&,
                                                      const Options&) {
    not_rebuilt("race");
}
std::shared_ptr<single_task::Engine> make_reactor_engine(boost::asio::io_context&, const Config&,
                                                         const Options&) {
    not_rebuilt("reactor");
}

} // namespace switchboard::lab
