#include "server_process.hpp"

#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <regex>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ;

namespace switchboard::test {

namespace {

/// Spawns `argv` with stdout and/or stderr going to a new pipe; returns {pid, read end}.
std::pair<int, int> spawn_with_pipe(const std::vector<std::string>& argv, bool capture_stdout) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    if (capture_stdout)
        posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int pid = -1;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv[0]);
    }
    return {pid, fds[0]};
}

/// Appends what is readable from `fd` before `deadline`; false on EOF or timeout.
bool read_some(int fd, std::string& out, std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
        return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        return false;
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0)
        return false;
    out.append(buffer, static_cast<std::size_t>(n));
    return true;
}

int decode_status(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

template <typename Predicate>
bool ServerProcess::read_log(std::chrono::steady_clock::time_point deadline, Predicate until) {
    while (!until()) {
        if (!read_some(stderr_fd_, log_, deadline))
            return until();
    }
    return true;
}

ServerProcess::ServerProcess(const std::string& binary, std::vector<std::string> args) {
    std::vector<std::string> argv{binary, "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::tie(pid_, stderr_fd_) = spawn_with_pipe(argv, false);
    static const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
    std::smatch match;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    if (!read_log(deadline, [&] { return std::regex_search(log_, match, listening); }))
        throw std::runtime_error("switchboard did not report listening; its log:\n" + log_);
    port_ = static_cast<std::uint16_t>(std::stoi(match[1].str()));
}

ServerProcess::~ServerProcess() {
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (stderr_fd_ >= 0)
        ::close(stderr_fd_);
}

void ServerProcess::signal(int number) const {
    if (::kill(pid_, number) != 0)
        throw std::system_error(errno, std::generic_category(), "kill");
}

void ServerProcess::wait_for_log(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!read_log(deadline, [&] { return log_.find(text) != std::string::npos; }))
        throw std::runtime_error("switchboard never logged '" + text + "'; its log:\n" + log_);
}

int ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    // The pipe reaches EOF when the process (its only writer) has exited.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (read_some(stderr_fd_, log_, deadline)) {
    }
    if (std::chrono::steady_clock::now() >= deadline)
        throw std::runtime_error("switchboard did not exit in time; its log:\n" + log_);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = true;
    return decode_status(status);
}

RunResult run_to_completion(const std::string& binary, const std::vector<std::string>& args) {
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), args.begin(), args.end());
    auto [pid, fd] = spawn_with_pipe(argv, true);
    RunResult result;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (read_some(fd, result.output, deadline)) {
    }
    ::close(fd);
    int status = 0;
    if (std::chrono::steady_clock::now() >= deadline)
        ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    result.exit_code = decode_status(status);
    return result;
}

} // namespace switchboard::test
