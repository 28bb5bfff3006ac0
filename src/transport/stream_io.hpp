// Moving bytes between a socket and the core's buffers, as every design does it: a
// non-blocking read into a connection's InputBuffer, and a non-blocking gather write of the
// front of its Outbox. Neither waits; would_block() tells the caller when it must wait for
// readiness, which is the caller's business (a coroutine's co_await, an event loop's arm).
#pragma once

#include "core/chunk.hpp"
#include "core/input_buffer.hpp"
#include "core/outbox.hpp"
#include "core/policy.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <array>
#include <cstddef>
#include <limits>
#include <span>

namespace switchboard::transport {

/// The kernel had nothing to give or no room to take: wait for readiness, then try again.
bool would_block(const boost::system::error_code& error) noexcept;

/// One non-blocking read into `input`, in room from `pool` (at most `limit` bytes), committed.
/// Returns the bytes read; `error` is set on EOF (boost::asio::error::eof), on an error, and
/// when nothing was there (would_block()).
std::size_t read_into(boost::asio::ip::tcp::socket& socket, core::InputBuffer& input,
                      core::ChunkPool& pool, boost::system::error_code& error,
                      std::size_t limit = std::numeric_limits<std::size_t>::max());

/// The front of `outbox` as buffers for one write: at most min(views.size(), out.size())
/// entries and `max_bytes` bytes, valid until the outbox is consumed or cleared. `views` is
/// scratch space of the same length. Returns how many buffers of `out` were filled.
std::size_t gather_buffers(const core::Outbox& outbox, std::span<core::ByteView> views,
                           std::span<boost::asio::const_buffer> out, std::size_t max_bytes);

/// The iovec arrays of one gather write (max_write_entries of them, 2 KiB): a write that
/// completes before its writer suspends can use a shared set, so an idle peer holds none.
class GatherBuffers {
public:
    /// The front of `outbox` for one write_some, as gather_buffers() gives it.
    std::span<const boost::asio::const_buffer>
    gather(const core::Outbox& outbox, std::size_t max_bytes = core::max_write_bytes) {
        return {buffers_.data(), gather_buffers(outbox, views_, buffers_, max_bytes)};
    }

private:
    std::array<core::ByteView, core::max_write_entries> views_;
    std::array<boost::asio::const_buffer, core::max_write_entries> buffers_;
};

} // namespace switchboard::transport
