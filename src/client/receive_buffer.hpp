// The client side of the wire: a read buffer that splits the delivered stream into messages.
// Reads land in large chunks at the end; messages are taken from the front; the search for a
// terminator resumes where the last one stopped, so no byte is scanned twice however the
// stream was split. No sockets here: the client reads into prepare() and commits.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace switchboard::detail {

class ReceiveBuffer {
public:
    /// Every prepare() offers at least `min_read` bytes of room.
    explicit ReceiveBuffer(std::size_t min_read = 64 * 1024);

    /// Room for the next read, at least min_read bytes. Moves the unconsumed bytes to the
    /// front or grows the storage when the room at the end runs short; views handed out
    /// earlier are invalid afterwards.
    std::span<char> prepare();
    /// Marks `n` bytes of the last prepare() as read.
    void commit(std::size_t n) noexcept;

    /// The next complete message, without its terminator, which is consumed with it. The
    /// view stays valid until the next prepare() or clear(). nullopt: need more bytes.
    std::optional<std::string_view> next_message() noexcept;
    /// Consumes and returns the first `n` bytes; requires size() >= n.
    std::string_view take(std::size_t n) noexcept;

    /// Unconsumed bytes.
    std::size_t size() const noexcept { return end_ - begin_; }
    std::size_t capacity() const noexcept { return capacity_; }
    /// Forgets every byte; keeps the storage (a read may still target it until cancelled).
    void clear() noexcept { begin_ = scanned_ = end_ = 0; }

private:
    std::size_t min_read_;
    std::unique_ptr<char[]> storage_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;   ///< first unconsumed byte
    std::size_t scanned_ = 0; ///< no terminator in [begin_, scanned_)
    std::size_t end_ = 0;     ///< one past the last byte read
};

} // namespace switchboard::detail
