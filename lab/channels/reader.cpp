// A connection's reader: reads into its InputBuffer's chunk, parses zero-copy frames, sends
// them to the dispatcher as one batch per read and waits for the answer before it reads
// again. It decides nothing: its last batch (its return value, sent by its completion
// handler) says how its input ended, and the dispatcher acts on that.
#include "core/policy.hpp"
#include "lab/channels/service.hpp"
#include "single_task/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>
#include <vector>

namespace switchboard::lab::channels {

namespace asio = boost::asio;
using asio::use_awaitable;

using net::would_block;

asio::awaitable<Batch> Service::reader([[maybe_unused]] Self self,
                                       std::shared_ptr<Connection> connection) {
    Connection& c = *connection;
    std::vector<RoutedFrame> frames; // handed back empty with each answer: allocated once
    std::size_t reads_this_turn = 0;
    while (!c.closed && !c.stop_reading) {
        boost::system::error_code ec;
        net::read_into(c.socket, c.input, read_chunks_, ec);
        if (would_block(ec)) {
            c.input.release_if_idle(); // an idle connection holds no read buffer
            reads_this_turn = 0;
            // Suspension: the dispatcher may close the socket (which ends this wait) or stop
            // the reading (read_cancel) meanwhile, both on this strand; the loop condition sees
            // them. The input buffer is this reader's alone.
            co_await c.socket.async_wait(
                asio::ip::tcp::socket::wait_read,
                asio::bind_cancellation_slot(c.read_cancel.slot(), asio::as_tuple(use_awaitable)));
            continue;
        }
        if (ec) {
            const bool eof = ec == asio::error::eof;
            c.eof_received = eof; // the writer closes without lingering
            Batch last{c.entry, std::move(frames), eof ? Ending::eof : Ending::error,
                       eof ? std::string() : ec.message(), c.input.has_unconsumed()};
            c.input.discard();
            co_return last;
        }
        for (;;) {
            const auto result = c.input.next();
            if (result.status == core::FrameParser::Status::need_more)
                break;
            if (result.status == core::FrameParser::Status::frame_too_large) {
                // The frames before it go with the last batch.
                c.input.discard();
                co_return Batch{c.entry, std::move(frames), Ending::frame_too_large, {}, false};
            }
            // A reference to the chunk goes with each frame: no copy of the payload.
            frames.push_back(
                RoutedFrame{result.frame.destination, c.input.chunk(), result.frame.payload});
        }
        if (frames.empty()) {
            if (++reads_this_turn >= core::reads_per_turn) { // a long partial frame: yield
                reads_this_turn = 0;
                // Suspension: lets the strand's other work run (the writer, a posted close);
                // the loop condition re-checks both flags.
                co_await asio::post(c.strand, use_awaitable);
            }
            continue;
        }
        send(Batch{c.entry, std::move(frames), Ending::none, {}, false});
        // Suspension: the dispatcher answers at once, or once the destination this batch
        // filled has drained to low water or left (backpressure), or "stop" when this peer is
        // closed or the server stops. Meanwhile the writer and posted closures run on the
        // strand; this reader's own state is untouched.
        auto [ec2, answer] = co_await c.answers.async_receive(asio::as_tuple(use_awaitable));
        if (ec2 || !answer.read_on)
            break;
        frames = std::move(answer.spare);
        reads_this_turn = 0;
    }
    c.input.discard();
    co_return Batch{c.entry, {}, Ending::stopped, {}, false};
}

} // namespace switchboard::lab::channels
