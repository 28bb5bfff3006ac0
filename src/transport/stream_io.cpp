#include "transport/stream_io.hpp"

#include <algorithm>

namespace switchboard::transport {

namespace asio = boost::asio;

bool would_block(const boost::system::error_code& error) noexcept {
    return error == asio::error::would_block || error == asio::error::try_again;
}

std::size_t read_into(asio::ip::tcp::socket& socket, core::InputBuffer& input,
                      core::ChunkPool& pool, boost::system::error_code& error, std::size_t limit) {
    const std::span<std::byte> room = input.prepare(pool);
    const std::size_t n =
        socket.read_some(asio::buffer(room.data(), std::min(room.size(), limit)), error);
    if (!error)
        input.commit(n);
    return error ? 0 : n;
}

std::size_t gather_buffers(const core::Outbox& outbox, std::span<core::ByteView> views,
                           std::span<asio::const_buffer> out, std::size_t max_bytes) {
    const std::size_t count =
        outbox.gather(views.first(std::min(views.size(), out.size())), max_bytes);
    for (std::size_t i = 0; i < count; ++i)
        out[i] = asio::const_buffer(views[i].data, views[i].size);
    return count;
}

} // namespace switchboard::transport
