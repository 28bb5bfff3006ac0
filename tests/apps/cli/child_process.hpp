// A child process with pipes on its stdin, stdout and stderr, for testing switchboard-cli.
// Every wait is bounded (poll on the pipes and on a pidfd), and there are no sleeps.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::test {

class ChildProcess {
public:
    /// Starts `binary args...` (posix_spawn). Throws std::system_error when it cannot.
    ChildProcess(const std::string& binary, const std::vector<std::string>& args);
    /// Kills the process if it is still running, and reaps it.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Writes all of `text` to the child's stdin (bounded; throws on timeout or error).
    void write_stdin(std::string_view text,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));
    /// Closes the child's stdin: it sees end of input.
    void close_stdin() noexcept;

    /// Waits until stdout holds a complete line containing `text`, and returns that line.
    /// Throws std::runtime_error (quoting both streams) on timeout or when stdout ends first.
    std::string wait_for_line(std::string_view text,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(5'000));

    /// Waits for the child to exit, collecting the rest of its output; returns its exit code
    /// (128 + signal when killed). Throws std::runtime_error on timeout (the child is killed).
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));

    const std::string& out() const noexcept { return out_; }
    const std::string& err() const noexcept { return err_; }
    /// "stdout: ...\nstderr: ..." for failure messages.
    std::string transcript() const;

private:
    /// Polls the open output pipes (and the pidfd) once; false on timeout.
    bool pump(std::chrono::steady_clock::time_point deadline);

    int pid_ = -1;
    int pidfd_ = -1;
    int stdin_fd_ = -1;
    int stdout_fd_ = -1;
    int stderr_fd_ = -1;
    bool exited_ = false;
    int exit_code_ = -1;
    std::string out_;
    std::string err_;
};

/// Runs `binary args...` with stdin closed, to completion (bounded).
struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};
RunResult run_child(const std::string& binary, const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));

} // namespace switchboard::test
