// Runs the real `switchboard` binary as a child process for end-to-end tests: starts it on
// 127.0.0.1 port 0, learns the port from its "listening on" log line, and waits for its exit
// by watching its stderr pipe close (poll with a deadline, no sleeps).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::test {

class ServerProcess {
public:
    /// Starts `binary --listen 127.0.0.1:0 <args...>` and waits (up to 10 s) until it listens.
    ServerProcess(const std::string& binary, std::vector<std::string> args);
    /// Kills the process if it is still running.
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    void signal(int number) const;
    /// Waits for the process to exit; returns its exit code (or 128 + signal). Throws on timeout.
    int wait_exit(std::chrono::milliseconds timeout);
    /// Waits until the log contains `text`; throws on timeout or exit.
    void wait_for_log(const std::string& text, std::chrono::milliseconds timeout);
    /// Everything the process wrote to stderr so far.
    const std::string& log() const noexcept { return log_; }

private:
    /// Reads stderr until `until` returns true or the deadline passes; false on EOF/timeout.
    template <typename Predicate>
    bool read_log(std::chrono::steady_clock::time_point deadline, Predicate until);

    int pid_ = -1;
    int stderr_fd_ = -1;
    bool exited_ = false;
    std::uint16_t port_ = 0;
    std::string log_;
};

/// Runs `binary args...` to completion (bounded), capturing stdout and stderr.
struct RunResult {
    int exit_code = -1;
    std::string output; ///< stdout and stderr together
};
RunResult run_to_completion(const std::string& binary, const std::vector<std::string>& args);

} // namespace switchboard::test
