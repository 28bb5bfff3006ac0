// One connection of the channels design, as its reader and writer share it. Everything here
// is touched on one strand only (the connection's: its reader, its writer and the closures the
// dispatcher posts to it), except the channels, which are thread-safe, and the fields the
// accept loop and the dispatcher write before the reader and the writer start.
#pragma once

#include "core/input_buffer.hpp"
#include "core/outbox.hpp"
#include "lab/channels/messages.hpp"

#include <switchboard/config.hpp>
#include <switchboard/protocol.hpp>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>

namespace switchboard::lab::channels {

template <typename Message>
using Channel =
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code, Message)>;
using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

struct Connection : std::enable_shared_from_this<Connection> {
    /// `accepted` is bound to `strand`, the connection's own.
    Connection(Strand strand, boost::asio::ip::tcp::socket accepted, const Config& config);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // --- written by the accept loop before NewPeer, read-only afterwards
    Strand strand;
    boost::asio::ip::tcp::socket socket; ///< on `strand`
    std::string remote;                  ///< "127.0.0.1:5000", for logs

    // --- written by the dispatcher before the reader and the writer start, read-only afterwards
    Entry* entry = nullptr;                              ///< stamps their messages
    std::array<std::byte, protocol::id_size> id_bytes{}; ///< what the writer sends first

    // --- thread-safe: the dispatcher sends, the writer and the reader receive
    Channel<Mail> mailbox;   ///< dispatcher -> writer
    Channel<Answer> answers; ///< dispatcher -> reader: one answer per batch

    // --- on the strand only
    core::InputBuffer input; ///< the reader's unparsed input
    core::Outbox outbox;     ///< the writer's queue (the dispatcher counts it by messages)
    /// Ends the reader's readiness wait when the server stops reading (not socket.cancel(),
    /// which would abort the writer's wait as well).
    boost::asio::cancellation_signal read_cancel;
    bool closed = false;       ///< the socket is closed: reader and writer end
    bool stop_reading = false; ///< the server stops: the reader ends
    bool eof_received = false; ///< the client's FIN arrived: no linger before closing

    // --- from the dispatcher, on its own thread
    void send_mail(Mail mail) { mailbox.try_send(boost::system::error_code{}, std::move(mail)); }
    void answer(bool read_on, std::vector<RoutedFrame> spare) {
        answers.try_send(boost::system::error_code{}, Answer{read_on, std::move(spare)});
    }
    /// Closes the socket on the strand, which aborts the reader's and the writer's waits.
    void close_soon();
    /// Tells the reader on the strand to stop reading, waking it if it waits for input.
    void stop_reading_soon();

    // --- on the strand
    void close_socket() noexcept;
};

} // namespace switchboard::lab::channels
