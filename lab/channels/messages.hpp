// What the parts of the channels design say to each other. Nobody shares state with the
// dispatcher: the accept loop, the readers, the writers and the timers send it these over its
// inbox, and it answers each reader and feeds each writer over their own channels
// (connection.hpp). Every send is a try_send into a channel of unbounded capacity: nobody ever
// waits to send, and the dispatcher never waits on anyone.
//
// A routed frame is never copied on its way: the reader parses it in its read chunk and sends
// a reference to the chunk with the payload's span; the dispatcher moves that into the
// destination's mail; the writer queues it in its Outbox, which copies small payloads into a
// staging chunk and keeps larger ones as views (core::Outbox::enqueue, as in the product).
#pragma once

#include "core/chunk.hpp"

#include <switchboard/protocol.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace switchboard::lab::channels {

struct Connection;
/// The dispatcher's record of one connection (dispatcher.hpp). Readers and writers only carry
/// it as a handle in their messages: it lives until both have sent their last message.
struct Entry;

/// One frame on its way from its reader to its destination's writer. The payload (with its
/// terminator) lies inside `chunk`, which this reference keeps alive.
struct RoutedFrame {
    PeerId destination = 0;
    core::ChunkRef chunk;
    std::span<const std::byte> payload;
};

/// How a reader's input ended; its last batch says which. `none`: more batches will come.
enum class Ending { none, eof, error, frame_too_large, stopped };

// ---- to the dispatcher (the inbox)

/// From the accept loop: a connection accepted and set up, not given an ID yet.
struct NewPeer {
    std::shared_ptr<Connection> connection;
};
/// From the accept loop, after its last NewPeer (the inbox keeps the order): it has ended.
struct AcceptDone {};

/// From a reader: the frames of one read, in order. With `ending` none the reader waits for the
/// answer before it reads again; otherwise this is its last message.
struct Batch {
    Entry* from = nullptr;
    std::vector<RoutedFrame> frames;
    Ending ending = Ending::none;
    std::string detail;   ///< what the error was, for Ending::error
    bool partial = false; ///< a partial frame was discarded with the input
};

/// From a writer: one write's progress.
struct Written {
    Entry* to = nullptr;
    std::size_t bytes = 0;
    std::size_t frames = 0; ///< frames that write completed
};
/// From a writer: flushed and FIN sent, it discards the client's input until its FIN.
struct Lingering {
    Entry* peer = nullptr;
};
/// From a writer (its last message): it has ended, cleanly or with `error`.
struct WriterDone {
    Entry* peer = nullptr;
    std::string error;
};

/// From the housekeeping timer: time for the slow-consumer sweep.
struct Tick {};
/// From the drain timer: the graceful stop's one deadline has passed.
struct DrainDeadline {};
/// From Engine::stop() and abort(), on the user's thread.
struct StopRequest {
    bool abort = false;
};

using Event = std::variant<NewPeer, AcceptDone, Batch, Written, Lingering, WriterDone, Tick,
                           DrainDeadline, StopRequest>;

// ---- from the dispatcher

/// To a writer: frames to queue, in order, then possibly how to stop. `end`: flush, FIN, then
/// end (after the client's FIN). `abort`: drop everything and end now. Explicit markers rather
/// than closing the channel: in Asio 1.81 channel::close() discards what is buffered.
struct Mail {
    enum class Then { more, end, abort };
    std::vector<RoutedFrame> frames;
    Then then = Then::more;
};

/// To a reader, for its batch: read on, or stop. `spare` is the batch's vector handed back
/// empty, so that a reader allocates no vector per read once it has one.
struct Answer {
    bool read_on = false;
    std::vector<RoutedFrame> spare;
};

} // namespace switchboard::lab::channels
