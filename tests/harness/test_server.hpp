// An in-process switchboard server on 127.0.0.1, an ephemeral port and its own thread, for
// integration tests. Asio stays out of this header (the io_context is held by pointer) so the
// test files compile quickly.
//
// Waiting without sleeping: the server logs at debug level through a sink installed here,
// which records each line and notifies a condition variable. The server logs a line on every
// connect and disconnect and on every forced disconnect, right after updating its counters,
// so a predicate over stats() re-checked on each notification sees every such change. Changes
// that come with no log line (frames_routed, frames_unknown_destination) are better observed
// through the protocol itself: send a frame to yourself and receive it, and every frame you
// sent before it has been processed. As a safety net the wait also re-checks the predicate
// every `recheck_interval`.
#pragma once

#include "lab/model.hpp"
#include "test_client.hpp"

#include <switchboard/config.hpp>
#include <switchboard/stats.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace switchboard {
class Server;
} // namespace switchboard

namespace switchboard::test {

/// The server model under test: SWITCHBOARD_TEST_MODEL (set by ctest for suites registered
/// per model), single-task when unset. Throws for an unknown name.
lab::Model test_model();

/// A Config for tests: 127.0.0.1, port 0; everything else at its default.
Config test_config();
/// The lab options for tests: test_model(), everything else at its default.
lab::Options test_options();

class TestServer {
public:
    /// Starts a server with `config` (its log level and sink are replaced by the recorder;
    /// set SWITCHBOARD_TEST_LOG=1 to also echo the lines to stderr).
    explicit TestServer(Config config = test_config(), lab::Options options = test_options());
    /// Stops gracefully and joins the server thread (see stop()).
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    Stats stats() const noexcept;
    const Config& config() const noexcept { return config_; }

    /// A client connected to this server.
    TestClient connect(std::string name = "client") const { return TestClient(port_, name); }

    /// Waits until `predicate()` holds, re-checking it on every log line of the server (and
    /// at least every recheck_interval). Returns its final value: false on timeout. The
    /// predicate runs with the recorder's mutex held: it may call stats(), not log_lines().
    template <typename Predicate>
    bool wait_until(Predicate predicate,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::unique_lock lock(mutex_);
        while (!predicate()) {
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline)
                return false;
            cv_.wait_until(lock, std::min(deadline, now + recheck_interval));
        }
        return true;
    }

    /// Waits until the server has logged a line containing `text`.
    bool wait_for_log(const std::string& text,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));
    /// Every line logged so far, as "level: message".
    std::vector<std::string> log_lines() const;

    /// Starts a graceful stop (Server::stop) and returns at once; clients can then read what
    /// the server flushes to them. Only the first call has an effect.
    void request_stop();
    /// Graceful stop: request_stop(), then waits for Server::stop's completion handler and
    /// for io_context::run() to return, and joins the thread. Returns false if that took
    /// longer than `timeout`; the server is then aborted (and, if even that hangs, the
    /// io_context stopped) so the thread is always joined. Idempotent.
    bool stop(std::chrono::milliseconds timeout);
    /// True once Server::stop's completion handler has run.
    bool stop_completed() const;
    /// True once io_context::run() has returned on the server thread.
    bool run_returned() const;

    static constexpr std::chrono::milliseconds recheck_interval{100};

private:
    void on_log(LogLevel level, std::string_view message);
    bool wait_for_thread(std::chrono::milliseconds timeout);

    Config config_;
    bool echo_ = false;
    std::uint16_t port_ = 0;

    // Declared before the server and the io_context, which may still log while destroyed.
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::string> lines_;
    bool stop_requested_ = false;
    bool stop_completed_ = false;
    bool run_returned_ = false;
    std::string run_error_;

    std::unique_ptr<boost::asio::io_context> io_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

} // namespace switchboard::test
