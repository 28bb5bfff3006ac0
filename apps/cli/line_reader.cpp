#include "line_reader.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace switchboard::cli {

namespace asio = boost::asio;

namespace {

constexpr std::size_t read_size = 64 * 1024;
const char* const what = "reading standard input";

} // namespace

LineReader::LineReader(const asio::any_io_executor& executor, int fd, std::size_t max_line)
    : fd_(fd)
    , original_flags_(::fcntl(fd, F_GETFL))
    , max_line_(max_line)
    , executor_(executor) {
    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (copy < 0)
        return;
    descriptor_.emplace(executor);
    boost::system::error_code ec;
    descriptor_->assign(copy, ec);
    if (ec) { // EPERM: a regular file or /dev/null, which epoll cannot watch
        descriptor_.reset();
        ::close(copy);
    }
}

LineReader::~LineReader() {
    descriptor_.reset();
    if (original_flags_ >= 0)
        ::fcntl(fd_, F_SETFL, original_flags_);
}

void LineReader::cancel() noexcept {
    cancelled_ = true;
    if (descriptor_) {
        boost::system::error_code ignored;
        descriptor_->cancel(ignored);
    }
}

asio::awaitable<std::size_t> LineReader::read_some(char* data, std::size_t size) {
    if (cancelled_) // sticky: a cancel() between two reads still stops the next one
        throw boost::system::system_error(asio::error::operation_aborted, what);
    if (descriptor_) {
        auto [ec, n] = co_await descriptor_->async_read_some(asio::buffer(data, size),
                                                             asio::as_tuple(asio::use_awaitable));
        if (ec == asio::error::eof)
            co_return 0;
        if (ec)
            throw boost::system::system_error(ec, what);
        co_return n;
    }
    // Let the socket's coroutines run between lines of a file that is read in one go.
    co_await asio::post(executor_, asio::use_awaitable);
    for (;;) {
        if (cancelled_)
            throw boost::system::system_error(asio::error::operation_aborted, what);
        const ssize_t n = ::read(fd_, data, size);
        if (n >= 0)
            co_return static_cast<std::size_t>(n);
        if (errno != EINTR)
            throw boost::system::system_error(errno, boost::system::system_category(), what);
    }
}

asio::awaitable<std::optional<std::string>> LineReader::next_line() {
    for (;;) {
        const auto newline = buffer_.find('\n', std::max(scanned_, begin_));
        if (newline != std::string::npos) {
            std::string line = buffer_.substr(begin_, newline - begin_);
            begin_ = scanned_ = newline + 1;
            co_return line;
        }
        scanned_ = buffer_.size();
        if (eof_) {
            if (begin_ == buffer_.size())
                co_return std::nullopt;
            std::string line = buffer_.substr(begin_);
            begin_ = scanned_ = buffer_.size();
            co_return line;
        }
        if (buffer_.size() - begin_ > max_line_)
            throw std::length_error("an input line is longer than " + std::to_string(max_line_) +
                                    " bytes");
        if (begin_ > 0) { // drop consumed lines before growing
            buffer_.erase(0, begin_);
            scanned_ -= begin_;
            begin_ = 0;
        }
        const std::size_t old_size = buffer_.size();
        buffer_.resize(old_size + read_size);
        std::size_t n = 0;
        try {
            n = co_await read_some(buffer_.data() + old_size, read_size);
        } catch (...) {
            buffer_.resize(old_size);
            throw;
        }
        buffer_.resize(old_size + n);
        eof_ = n == 0;
    }
}

} // namespace switchboard::cli
