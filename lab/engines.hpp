// The engines of the lab's designs, one folder each. Each keeps the contract of
// single_task/engine.hpp and is built from the same core pieces as the product.
#pragma once

#include "lab/model.hpp"
#include "single_task/engine.hpp"

#include <switchboard/config.hpp>

#include <memory>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace switchboard::lab {

std::shared_ptr<single_task::Engine>
make_mutex_engine(boost::asio::io_context& io, const Config& config, const Options& options);
std::shared_ptr<single_task::Engine>
make_channels_engine(boost::asio::io_context& io, const Config& config, const Options& options);
std::shared_ptr<single_task::Engine> make_race_engine(boost::asio::io_context& io,
                                                      const Config& config, const Options& options);
std::shared_ptr<single_task::Engine>
make_reactor_engine(boost::asio::io_context& io, const Config& config, const Options& options);

} // namespace switchboard::lab
