// The ServerModel facade of the two thread-pool models (mutex, channels). Both keep all
// their state in one shared State that their threads also hold, so the facade only
// forwards; the State must provide start(), stop(handler), abort(), abort_and_join(),
// `port`, `address` and `counters`. Destroying the facade aborts and joins the pool, so no
// thread outlives the model.
#pragma once

#include "server_model.hpp"

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace switchboard::detail {

template <class State>
class PoolFacade final : public ServerModel {
public:
    PoolFacade(boost::asio::io_context& io, Config config)
        : state_(std::make_shared<State>(io, std::move(config))) {}
    ~PoolFacade() override { state_->abort_and_join(); }

    void start() override { state_->start(); }
    std::uint16_t port() const noexcept override { return state_->port; }
    std::string local_address() const override { return state_->address; }
    Stats stats() const noexcept override { return state_->counters.snapshot(); }
    void stop(std::function<void()> on_stopped) override { state_->stop(std::move(on_stopped)); }
    void abort() override { state_->abort(); }

private:
    std::shared_ptr<State> state_;
};

} // namespace switchboard::detail
