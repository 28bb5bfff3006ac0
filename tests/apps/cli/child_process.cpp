#include "child_process.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>

extern char** environ;

namespace switchboard::test {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, left.count()));
}

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

void close_fd(int& fd) noexcept {
    if (fd >= 0) {
        ::close(fd);
        fd = -1;
    }
}

int decode_status(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

} // namespace

ChildProcess::ChildProcess(const std::string& binary, const std::vector<std::string>& args) {
    // Writing to the stdin of a child that has exited must fail with EPIPE, not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0)
        throw_errno("pipe2");
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
        throw_errno("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> pointers;
    for (auto& a : argv)
        pointers.push_back(a.data());
    pointers.push_back(nullptr);
    const int rc =
        ::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, pointers.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    stdin_fd_ = in[1];
    stdout_fd_ = out[0];
    stderr_fd_ = err[0];
    if (rc != 0) {
        pid_ = -1;
        throw std::system_error(rc, std::generic_category(), "posix_spawn " + binary);
    }
    // Readable once the child exits, so its exit can be awaited with poll() and a deadline.
    // (The raw system call: glibc 2.36's <sys/pidfd.h> lacks extern "C" for C++.)
    pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
    if (pidfd_ < 0)
        throw_errno("pidfd_open");
    ::fcntl(stdin_fd_, F_SETFL, O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
    if (!exited_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    close_fd(stderr_fd_);
    close_fd(pidfd_);
}

void ChildProcess::write_stdin(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!text.empty()) {
        if (stdin_fd_ < 0)
            throw std::runtime_error("write_stdin: stdin is closed");
        const ssize_t n = ::write(stdin_fd_, text.data(), text.size());
        if (n >= 0) {
            text.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            throw_errno("write to the child's stdin");
        pollfd p{stdin_fd_, POLLOUT, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) == 0)
            throw std::runtime_error("write_stdin: timed out; " + transcript());
    }
}

void ChildProcess::close_stdin() noexcept {
    close_fd(stdin_fd_);
}

bool ChildProcess::pump(Clock::time_point deadline) {
    std::array<pollfd, 3> fds{};
    std::array<std::string*, 3> sinks{};
    std::size_t count = 0;
    for (auto [fd, sink] : {std::pair{stdout_fd_, &out_}, std::pair{stderr_fd_, &err_}}) {
        if (fd >= 0) {
            fds[count] = {fd, POLLIN, 0};
            sinks[count++] = sink;
        }
    }
    const std::size_t pipes = count;
    if (!exited_)
        fds[count++] = {pidfd_, POLLIN, 0};
    if (count == 0)
        return true; // nothing left to wait for
    const int ready = ::poll(fds.data(), count, remaining_ms(deadline));
    if (ready < 0 && errno == EINTR)
        return true;
    if (ready < 0)
        throw_errno("poll");
    if (ready == 0)
        return false;
    for (std::size_t i = 0; i < pipes; ++i) {
        if (fds[i].revents == 0)
            continue;
        char buffer[4096];
        const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
            sinks[i]->append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            close_fd(fds[i].fd == stdout_fd_ ? stdout_fd_ : stderr_fd_);
        }
    }
    if (pipes < count && fds[pipes].revents != 0) {
        int status = 0;
        if (::waitpid(pid_, &status, 0) == pid_) {
            exited_ = true;
            exit_code_ = decode_status(status);
        }
    }
    return true;
}

std::string ChildProcess::wait_for_line(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        std::size_t start = 0;
        for (std::size_t end; (end = out_.find('\n', start)) != std::string::npos;
             start = end + 1) {
            const std::string_view line(out_.data() + start, end - start);
            if (line.find(text) != std::string_view::npos)
                return std::string(line);
        }
        if (stdout_fd_ < 0)
            throw std::runtime_error("stdout ended without a line containing '" +
                                     std::string(text) + "'; " + transcript());
        if (!pump(deadline))
            throw std::runtime_error("timed out waiting for a line containing '" +
                                     std::string(text) + "'; " + transcript());
    }
}

int ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!exited_ || stdout_fd_ >= 0 || stderr_fd_ >= 0) {
        if (!pump(deadline)) {
            ::kill(pid_, SIGKILL);
            throw std::runtime_error("the child did not exit in time (killed); " + transcript());
        }
    }
    return exit_code_;
}

std::string ChildProcess::transcript() const {
    return "stdout: [" + out_ + "] stderr: [" + err_ + "]";
}

RunResult run_child(const std::string& binary, const std::vector<std::string>& args,
                    std::chrono::milliseconds timeout) {
    ChildProcess child(binary, args);
    child.close_stdin();
    RunResult result;
    result.exit_code = child.wait_exit(timeout);
    result.out = child.out();
    result.err = child.err();
    return result;
}

} // namespace switchboard::test
