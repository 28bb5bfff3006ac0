// Lines from a file descriptor (standard input) as awaitables, so that the interactive mode
// reads commands and the socket on one io_context. Pipes and terminals are read through
// epoll (posix::stream_descriptor); a regular file or /dev/null, which epoll refuses, is read
// directly, which never blocks for long.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstddef>
#include <optional>
#include <string>

namespace switchboard::cli {

class LineReader {
public:
    static constexpr std::size_t default_max_line = 16 * 1024 * 1024;

    /// Reads `fd` through a duplicate, so closing the reader leaves `fd` open.
    LineReader(const boost::asio::any_io_executor& executor, int fd,
               std::size_t max_line = default_max_line);
    /// Restores the file status flags of `fd` (Asio makes the shared description non-blocking,
    /// which a shell sharing the terminal would notice).
    ~LineReader();
    LineReader(const LineReader&) = delete;
    LineReader& operator=(const LineReader&) = delete;

    /// The next line without its '\n'; the last line may lack one. nullopt at end of input.
    /// Throws system_error on a read error or after cancel() (operation_aborted), and
    /// std::length_error for a line longer than max_line.
    boost::asio::awaitable<std::optional<std::string>> next_line();

    /// Makes a pending next_line(), and every later one that has to read, complete with
    /// operation_aborted.
    void cancel() noexcept;

private:
    boost::asio::awaitable<std::size_t> read_some(char* data, std::size_t size);

    int fd_;
    int original_flags_;
    std::size_t max_line_;
    boost::asio::any_io_executor executor_;
    std::optional<boost::asio::posix::stream_descriptor> descriptor_; ///< empty: read directly
    bool cancelled_ = false;
    bool eof_ = false;
    std::string buffer_;
    std::size_t begin_ = 0;   ///< first byte of the next line
    std::size_t scanned_ = 0; ///< no '\n' in [begin_, scanned_)
};

} // namespace switchboard::cli
