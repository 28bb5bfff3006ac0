#include "test_server.hpp"

#include <switchboard/server.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <stdexcept>

namespace switchboard::test {

namespace {

/// Lines kept for log_lines()/wait_for_log(); far above what any test produces.
constexpr std::size_t max_recorded_lines = 100'000;

} // namespace

lab::Model test_model() {
    const char* name = std::getenv("SWITCHBOARD_TEST_MODEL");
    if (name == nullptr || *name == '\0')
        return lab::Model::single_task;
    const auto model = lab::parse_model(name);
    if (!model)
        throw std::invalid_argument(std::string("SWITCHBOARD_TEST_MODEL: unknown model '") + name +
                                    "'");
    return *model;
}

Config test_config() {
    Config config;
    config.host = "127.0.0.1";
    config.port = 0;
    return config;
}

lab::Options test_options() {
    lab::Options options;
    options.model = test_model();
    return options;
}

TestServer::TestServer(Config config, lab::Options options)
    : config_(std::move(config)) {
    io_ = std::make_unique<boost::asio::io_context>(1);
    const char* echo = std::getenv("SWITCHBOARD_TEST_LOG");
    echo_ = echo != nullptr && *echo != '\0' && std::string_view(echo) != "0";

    Config server_config = config_;
    server_config.log_level = LogLevel::debug;
    server_config.log_sink = [this](LogLevel level, std::string_view message) {
        on_log(level, message);
    };
    server_ = lab::make_server(*io_, std::move(server_config), options);
    server_->start();
    port_ = server_->port();
    thread_ = std::thread([this] {
        std::string error;
        try {
            io_->run();
        } catch (const std::exception& e) {
            error = e.what();
        } catch (...) {
            error = "unknown exception";
        }
        {
            std::lock_guard lock(mutex_);
            run_returned_ = true;
            run_error_ = std::move(error);
        }
        cv_.notify_all();
    });
}

TestServer::~TestServer() {
    const auto timeout = config_.drain_timeout + std::chrono::seconds(5);
    if (!stop(timeout))
        std::cerr << "TestServer: graceful stop did not finish within " << timeout.count()
                  << " ms; the server was aborted\n";
    if (!run_error_.empty())
        std::cerr << "TestServer: io_context::run() threw: " << run_error_ << '\n';
}

Stats TestServer::stats() const noexcept {
    return server_->stats();
}

void TestServer::on_log(LogLevel level, std::string_view message) {
    if (echo_)
        std::cerr << "[server " << port_ << "] " << to_string(level) << ": " << message << '\n';
    {
        std::lock_guard lock(mutex_);
        if (lines_.size() < max_recorded_lines)
            lines_.push_back(std::string(to_string(level)) + ": " + std::string(message));
    }
    cv_.notify_all();
}

bool TestServer::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
    return wait_until(
        [&] {
            // Called with mutex_ held.
            return std::any_of(lines_.begin(), lines_.end(), [&](const std::string& line) {
                return line.find(text) != std::string::npos;
            });
        },
        timeout);
}

std::vector<std::string> TestServer::log_lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
}

bool TestServer::stop_completed() const {
    std::lock_guard lock(mutex_);
    return stop_completed_;
}

bool TestServer::run_returned() const {
    std::lock_guard lock(mutex_);
    return run_returned_;
}

bool TestServer::wait_for_thread(std::chrono::milliseconds timeout) {
    return wait_until([this] { return run_returned_; }, timeout);
}

void TestServer::request_stop() {
    {
        std::lock_guard lock(mutex_);
        if (stop_requested_ || run_returned_)
            return;
        stop_requested_ = true;
    }
    server_->stop([this] {
        {
            std::lock_guard lock(mutex_);
            stop_completed_ = true;
        }
        cv_.notify_all();
    });
}

bool TestServer::stop(std::chrono::milliseconds timeout) {
    if (!thread_.joinable())
        return stop_completed();
    request_stop();
    const bool graceful = wait_for_thread(timeout);
    if (!graceful) {
        server_->abort();
        if (!wait_for_thread(std::chrono::seconds(5)))
            io_->stop(); // last resort: the thread must be joined
    }
    thread_.join();
    return graceful && stop_completed();
}

} // namespace switchboard::test
