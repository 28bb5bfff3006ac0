#include "workers.hpp"

#include <algorithm>
#include <functional>
#include <thread>

namespace switchboard::bench {

Workers::Workers(unsigned threads) {
    for (unsigned i = 0; i < std::max(threads, 1u); ++i)
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

void Workers::record(const std::exception_ptr& error, Failure& failure) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        failure.set(e.what());
    } catch (...) {
        failure.set("unknown error");
    }
}

void Workers::run(Failure& failure) {
    auto run_one = [&failure](boost::asio::io_context& io) {
        try {
            io.restart();
            io.run();
        } catch (...) {
            record(std::current_exception(), failure);
        }
    };
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i)
        threads.emplace_back(run_one, std::ref(*contexts_[i]));
    run_one(*contexts_[0]);
    for (auto& thread : threads)
        thread.join();
}

} // namespace switchboard::bench
