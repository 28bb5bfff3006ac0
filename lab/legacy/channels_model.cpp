// The channels model (docs/patterns.md): share state by communicating. A pool of threads runs
// one io_context of the model's own. ONE dispatcher coroutine owns the directory and every
// per-peer count; nothing else reads or writes them, so they need no lock. Everyone else
// talks to it over one `experimental::concurrent_channel` (the inbox):
// - the accept loop sends "new peer" (the dispatcher picks the ID, queues it, starts the
//   peer's reader and writer);
// - a peer's reader parses frames and sends them as one batch per read, then waits for the
//   dispatcher's answer on its own ack channel before it reads again: backpressure is the
//   dispatcher withholding that answer while a destination of the batch is above high water;
//   the reader's last message says how its input ended (EOF, error, oversized frame, stop);
// - a peer's writer is fed by its own channel (bytes, or an explicit end / abort marker:
//   never close(), which in Asio 1.81 discards what is buffered) and reports every write's
//   progress and its own end back to the inbox; errors flow back as those messages;
// - timers (slow-consumer check, drain deadline) and stop/abort are messages too.
// Every send is a try_send into a channel of unbounded capacity, so no one ever waits to
// send and the dispatcher never waits on anyone: it cannot deadlock, and one full
// destination cannot stall the others. What bounds memory is the protocol, not the channel:
// a reader has at most one batch in flight, and a destination's queue grows only until its
// senders are paused.
//
// Sockets are touched only on their connection's strand (reader and writer share it); the
// dispatcher closes a socket by posting to that strand. Payloads are copied out of the read
// buffer into each message: a buffer shared across threads would need atomic reference counts.
#include "transport/listener.hpp"
#include "pool_facade.hpp"
#include "server_model.hpp"
#include "shared_counters.hpp"

#include <switchboard/log.hpp>
#include <switchboard/protocol.hpp>
#include <switchboard/units.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

namespace switchboard::detail {

namespace {

namespace asio = boost::asio;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;

template <typename T>
using Channel = asio::experimental::concurrent_channel<void(error_code, T)>;

constexpr auto as_tuple_awaitable = asio::as_tuple(use_awaitable);
constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();
constexpr std::size_t read_size = 64 * KiB;
constexpr std::size_t reads_per_turn = 4;        ///< reads without a batch before yielding
constexpr std::size_t max_gather = 64;           ///< buffers per write
constexpr std::size_t max_write_bytes = 1 * MiB; ///< bytes per write (fairness)

/// What a writer is told: bytes to send, or how to stop.
struct Outgoing {
    enum class Kind { bytes, end, abort };
    Kind kind = Kind::bytes;
    std::string bytes; ///< a payload with its terminator, an error notice, or the ID
};

/// One connection as the threads share it. The socket and the flags are touched only on
/// `strand`; the channels are thread-safe; `remote` and `id` are written before the reader
/// and the writer start, and only read afterwards.
struct Connection {
    Connection(asio::io_context& pool, std::uint64_t key_)
        : key(key_)
        , strand(asio::make_strand(pool))
        , socket(strand)
        , outbox(strand, unbounded)
        , ack(strand, 1) {}

    const std::uint64_t key; ///< names the connection in messages (IDs are reused)
    Strand strand;
    tcp::socket socket;
    tcp::endpoint remote;
    PeerId id = 0;
    Channel<Outgoing> outbox; ///< dispatcher -> writer
    Channel<bool> ack;        ///< dispatcher -> reader: read on (true) or stop (false)
    asio::cancellation_signal read_cancel;
    bool closed = false;       ///< the socket was closed by force
    bool stop_reading = false; ///< the server is stopping
    bool eof_received = false;
};

struct RoutedFrame {
    PeerId destination = 0;
    std::string payload; ///< with its terminator
};

/// How a reader's input ended (the last batch it sends), or `none` (it waits for an ack).
enum class Ending { none, eof, error, frame_too_large, stopped };

// ---- the messages of the inbox
struct NewPeer {
    std::shared_ptr<Connection> conn;
};
struct Batch {
    std::uint64_t key = 0;
    std::vector<RoutedFrame> frames;
    Ending ending = Ending::none;
    std::string detail;
};
struct Written {
    std::uint64_t key = 0;
    std::size_t bytes = 0;
    std::size_t frames = 0; ///< messages of the outbox completely written
};
struct WriterDone {
    std::uint64_t key = 0;
    std::string error; ///< empty: ended as told (end or abort marker, or closed)
};
struct Tick {};
struct DrainDeadline {};
struct AcceptDone {};
struct StopRequest {
    bool abort = false;
};
using Event =
    std::variant<NewPeer, Batch, Written, WriterDone, Tick, DrainDeadline, AcceptDone, StopRequest>;

enum class CloseReason {
    error,
    frame_too_large,
    slow_consumer,
    drain_timeout,
    aborted,
    linger_ended
};

/// The dispatcher's view of one connection.
struct Entry {
    std::shared_ptr<Connection> conn;
    PeerId id = 0;
    bool registered = false;       ///< in the directory: addressable
    std::size_t queued_bytes = 0;  ///< sent to the writer, not yet reported written
    std::size_t queued_frames = 0; ///< the same, in outbox messages
    Clock::time_point last_progress;
    std::vector<std::uint64_t> paused_senders; ///< keys of senders waiting for us to drain
    std::vector<PeerId> blocked_on;            ///< destinations we wait for (as a sender)
    std::vector<RoutedFrame> held;             ///< the reader's batch being routed
    std::size_t held_next = 0;                 ///< first frame of `held` not routed yet
    Ending ending = Ending::none;              ///< of the last batch, handled once it is routed
    std::string detail;
    bool ack_pending = false;  ///< the reader waits for an answer
    bool paused = false;       ///< counted in senders_paused, not resumed yet
    bool reader_done = false;  ///< its last batch has arrived
    bool routing_done = false; ///< ... and is routed (or dropped)
    bool writer_done = false;
    bool end_sent = false;
    bool closed = false; ///< nothing more is queued to it
    bool reaping = false;
};

class State : public std::enable_shared_from_this<State> {
public:
    State(asio::io_context& user_io, Config cfg)
        : config(std::move(cfg))
        , log(config.log_level, config.log_sink)
        , user_io_(user_io)
        , acceptor_strand_(asio::make_strand(pool_))
        , acceptor_(acceptor_strand_)
        , dispatcher_strand_(asio::make_strand(pool_))
        , inbox_(dispatcher_strand_, unbounded)
        , housekeeping_(dispatcher_strand_)
        , drain_deadline_(dispatcher_strand_)
        , random_(std::random_device{}()) {}

    ~State() {
        // By now joined (stopped, or the model's destructor): a pool thread never holds the
        // last reference, because everything the pool runs has ended before the join.
        for (auto& t : threads_)
            if (t.joinable())
                t.get_id() == std::this_thread::get_id() ? t.detach() : t.join();
    }

    void start() {
        open_listener(acceptor_, config);
        port = listening_port(acceptor_);
        address = listening_address(acceptor_);
        const std::size_t n = config.threads != 0
                                  ? config.threads
                                  : std::max(1u, std::thread::hardware_concurrency());
        log.info("listening on ", address, " (model channels, ", n, " threads, max frame ",
                 format_byte_size(config.max_frame), ", high/low water ",
                 format_byte_size(config.high_water), "/", format_byte_size(config.low_water),
                 ", slow consumer timeout ", format_duration(config.slow_consumer_timeout),
                 ", max connections ", config.max_connections, ")");
        user_guard_.emplace(user_io_.get_executor());
        {
            std::lock_guard lock(control_mutex_);
            started_ = true;
        }
        auto self = shared_from_this();
        asio::co_spawn(dispatcher_strand_, dispatcher(self), log_failure("dispatcher"));
        asio::co_spawn(dispatcher_strand_, housekeeping(self), log_failure("housekeeping"));
        asio::co_spawn(acceptor_strand_, accept_loop(self), log_failure("accept loop"));
        for (std::size_t i = 0; i < n; ++i)
            threads_.emplace_back([this] { pool_.run(); });
    }

    void stop(std::function<void()> on_stopped) {
        {
            std::lock_guard lock(control_mutex_);
            if (!started_ || finished_) {
                if (on_stopped)
                    asio::post(user_io_, std::move(on_stopped));
                return;
            }
            if (on_stopped)
                stopped_handlers_.push_back(std::move(on_stopped));
        }
        send(StopRequest{false});
    }

    void abort() { send(StopRequest{true}); }

    /// For the model's destructor (never on a pool thread): abort, wait until the dispatcher
    /// has finished, join the pool.
    void abort_and_join() {
        {
            std::unique_lock lock(control_mutex_);
            if (started_ && !finished_) {
                lock.unlock();
                abort();
                lock.lock();
                finished_cv_.wait(lock, [this] { return finished_; });
            }
        }
        join();
    }

    const Config config;
    const Logger log;
    SharedCounters counters;
    std::uint16_t port = 0;
    std::string address;

private:
    // ------------------------------------------------------------ plumbing

    /// Into the inbox. Never fails (unbounded, never closed) and never waits.
    void send(Event event) { inbox_.try_send(error_code{}, std::move(event)); }

    std::function<void(std::exception_ptr)> log_failure(const char* what) {
        return [self = shared_from_this(), what](std::exception_ptr e) {
            if (!e)
                return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                self->log.error(what, " failed: ", x.what());
            }
        };
    }

    /// Lets the pool run out of work and joins it. Never on a pool thread.
    void join() {
        std::lock_guard lock(join_mutex_);
        pool_guard_.reset();
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
        threads_.clear();
    }

    // ------------------------------------------------------------ the accept loop

    asio::awaitable<void> accept_loop([[maybe_unused]] std::shared_ptr<State> self) {
        asio::steady_timer backoff(acceptor_strand_);
        std::uint64_t next_key = 0;
        while (acceptor_.is_open()) {
            auto conn = std::make_shared<Connection>(pool_, ++next_key);
            auto [ec] = co_await acceptor_.async_accept(conn->socket, as_tuple_awaitable);
            if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                break;
            if (ec) {
                log.warning("accept failed: ", ec.message(), "; retrying in 100ms");
                backoff.expires_after(std::chrono::milliseconds(100));
                co_await backoff.async_wait(as_tuple_awaitable);
                continue;
            }
            error_code ignored;
            if (live_.load() >= config.max_connections) {
                counters.connections_refused.add();
                log.warning("refused ", conn->socket.remote_endpoint(ignored),
                            ": at max_connections (", config.max_connections, ")");
                conn->socket.close(ignored);
                continue;
            }
            ++live_; // the dispatcher decrements it when the connection has ended
            conn->remote = conn->socket.remote_endpoint(ignored);
            conn->socket.set_option(tcp::no_delay(true), ignored);
            conn->socket.non_blocking(true, ignored); // reader and writer go until would_block
            send(NewPeer{std::move(conn)});
        }
        send(AcceptDone{}); // after the last NewPeer: the inbox keeps the order
    }

    // ------------------------------------------------------------ one connection

    /// Parses frames and sends them to the dispatcher, one batch per read, then waits for the
    /// answer. Its last message says how the input ended. Touches no shared state.
    asio::awaitable<void> reader([[maybe_unused]] std::shared_ptr<State> self,
                                 std::shared_ptr<Connection> conn) {
        FrameParser parser(config.max_frame);
        std::vector<std::byte> in;
        std::size_t begin = 0, end = 0;
        std::vector<RoutedFrame> frames;
        Ending ending = Ending::none;
        std::string detail;
        std::size_t reads = 0;
        while (ending == Ending::none) {
            if (conn->closed || conn->stop_reading) {
                ending = Ending::stopped;
                break;
            }
            if (in.size() - end < 512) { // keep the partial frame at the front, grow for it
                if (end > begin)         // an empty vector's data() may be null: no memmove then
                    std::memmove(in.data(), in.data() + begin, end - begin);
                end -= begin;
                begin = 0;
                if (in.size() - end < 512)
                    in.resize(std::max(in.size() * 2, read_size));
            }
            error_code ec;
            const std::size_t n =
                conn->socket.read_some(asio::buffer(in.data() + end, in.size() - end), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                if (begin == end)
                    std::vector<std::byte>().swap(in), begin = end = 0; // idle: no buffer
                reads = 0;
                // Suspension: a stop emits the cancellation, a forced close closes the socket;
                // the loop condition sees both.
                co_await conn->socket.async_wait(
                    tcp::socket::wait_read,
                    asio::bind_cancellation_slot(conn->read_cancel.slot(), as_tuple_awaitable));
                continue;
            }
            if (ec) {
                if (end > begin)
                    counters.partial_frames_discarded.add();
                if (ec == asio::error::eof)
                    conn->eof_received = true;
                ending = ec == asio::error::eof ? Ending::eof : Ending::error;
                detail = ec.message();
                break;
            }
            end += n;
            for (;;) {
                const auto r = parser.next(std::span(in.data() + begin, end - begin));
                if (r.status == FrameParser::Status::need_more)
                    break;
                if (r.status == FrameParser::Status::frame_too_large) {
                    ending = Ending::frame_too_large;
                    detail = "no terminator within " + std::to_string(config.max_frame) + " bytes";
                    break;
                }
                frames.push_back({r.frame.destination,
                                  std::string(reinterpret_cast<const char*>(r.frame.payload.data()),
                                              r.frame.payload.size())});
                begin += r.consumed;
            }
            if (ending != Ending::none)
                break; // the frames before the oversized one go with the last batch
            if (frames.empty()) {
                if (++reads >= reads_per_turn) { // a long partial frame: let others run
                    reads = 0;
                    co_await asio::post(conn->strand, use_awaitable);
                }
                continue;
            }
            send(Batch{conn->key, std::exchange(frames, {}), Ending::none, {}});
            // Suspension: the dispatcher answers at once, or once the destinations this batch
            // filled have drained (backpressure), or `false` when we must stop.
            auto [ack_error, read_on] = co_await conn->ack.async_receive(as_tuple_awaitable);
            if (ack_error || !read_on)
                ending = Ending::stopped;
            reads = 0;
        }
        send(Batch{conn->key, std::move(frames), ending, std::move(detail)});
    }

    /// Writes what the dispatcher queues, in order, gathering whatever is already there; reports
    /// each write's progress. Stops on the end marker (after flushing: FIN), on the abort
    /// marker or a forced close (at once), or on a write error.
    asio::awaitable<void> writer([[maybe_unused]] std::shared_ptr<State> self,
                                 std::shared_ptr<Connection> conn) {
        std::deque<std::string> pending;
        std::size_t offset = 0; ///< of pending.front() already written
        bool end = false, abort = false;
        std::vector<asio::const_buffer> buffers;
        std::string error;
        auto take = [&](Outgoing message) {
            switch (message.kind) {
            case Outgoing::Kind::bytes:
                pending.push_back(std::move(message.bytes));
                break;
            case Outgoing::Kind::end:
                end = true;
                break;
            case Outgoing::Kind::abort:
                abort = true;
                break;
            }
        };
        for (;;) {
            if (conn->closed || abort)
                break;
            if (pending.empty()) {
                if (end) {
                    co_await close_gracefully(*conn);
                    break;
                }
                // Suspension: the dispatcher queues, ends or aborts us through the outbox.
                auto [ec, message] = co_await conn->outbox.async_receive(as_tuple_awaitable);
                if (ec)
                    break;
                take(std::move(message));
                continue;
            }
            while (pending.size() < max_gather && !end && !abort &&
                   conn->outbox.try_receive(
                       [&](error_code, Outgoing message) { take(std::move(message)); })) {
            }
            if (abort)
                break;
            buffers.clear();
            std::size_t bytes = 0;
            for (std::size_t i = 0;
                 i < pending.size() && buffers.size() < max_gather && bytes < max_write_bytes;
                 ++i) {
                const std::size_t skip = i == 0 ? offset : 0;
                buffers.emplace_back(pending[i].data() + skip, pending[i].size() - skip);
                bytes += pending[i].size() - skip;
            }
            error_code ec;
            const std::size_t written = conn->socket.write_some(buffers, ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                // Suspension: a forced close aborts this wait; the loop sees `closed`.
                co_await conn->socket.async_wait(tcp::socket::wait_write, as_tuple_awaitable);
                continue;
            }
            if (ec) {
                if (!conn->closed) {
                    error = ec.message();
                    close_socket(*conn);
                }
                break;
            }
            std::size_t frames = 0;
            for (std::size_t left = written; left > 0;) {
                const std::size_t rest = pending.front().size() - offset;
                if (left < rest) {
                    offset += left;
                    break;
                }
                left -= rest;
                pending.pop_front();
                offset = 0;
                ++frames;
            }
            send(Written{conn->key, written, frames});
        }
        send(WriterDone{conn->key, std::move(error)});
    }

    /// On the strand, once everything is written: FIN, then linger until the client's FIN.
    asio::awaitable<void> close_gracefully(Connection& conn) {
        error_code ec;
        conn.socket.shutdown(tcp::socket::shutdown_send, ec);
        if (!conn.eof_received) {
            // The server stopped reading a client that had not finished sending: closing now
            // would answer its next bytes with a reset, which makes its kernel discard what it
            // has not read yet. Discard its input until its FIN; the drain deadline bounds it.
            std::array<std::byte, 4096> sink;
            while (!conn.closed) {
                conn.socket.read_some(asio::buffer(sink), ec);
                if (ec == asio::error::would_block || ec == asio::error::try_again) {
                    co_await conn.socket.async_wait(tcp::socket::wait_read, as_tuple_awaitable);
                    continue;
                }
                if (ec)
                    break;
            }
        }
        if (!conn.closed)
            close_socket(conn);
    }

    /// On the strand: aborts the pending waits of the reader and the writer.
    static void close_socket(Connection& conn) {
        conn.closed = true;
        error_code ignored;
        conn.socket.close(ignored);
    }

    // ------------------------------------------------------------ the dispatcher

    asio::awaitable<void> dispatcher([[maybe_unused]] std::shared_ptr<State> self) {
        while (!done_) {
            // Suspension: the only one. Between two messages nothing else touches what the
            // dispatcher owns, on whichever pool thread it resumes.
            auto [ec, event] = co_await inbox_.async_receive(as_tuple_awaitable);
            if (ec)
                break;
            handle(std::move(event));
            while (!done_ && inbox_.try_receive(
                                 [this](error_code, Event next) { handle(std::move(next)); })) {
            }
        }
    }

    asio::awaitable<void> housekeeping([[maybe_unused]] std::shared_ptr<State> self) {
        // A quarter of the timeout: a slow consumer is caught within 125% of it.
        const auto period =
            std::clamp(config.slow_consumer_timeout / 4, std::chrono::milliseconds(5),
                       std::chrono::milliseconds(1000));
        while (!done_) { // on the dispatcher's strand: done_ is safe to read here
            housekeeping_.expires_after(period);
            auto [ec] = co_await housekeeping_.async_wait(as_tuple_awaitable);
            if (ec || done_)
                break;
            send(Tick{});
        }
    }

    void handle(Event event) {
        std::visit([this](auto& message) { on(message); }, event);
        reap();
        maybe_finish_stop();
    }

    void on(NewPeer& message) {
        std::shared_ptr<Connection>& conn = message.conn;
        if (stopping_) { // accepted just before the listener closed: never given an ID
            error_code ignored;
            conn->socket.close(ignored); // no coroutine uses it yet
            --live_;
            return;
        }
        PeerId id = 0;
        do
            id = static_cast<PeerId>(random_());
        while (!protocol::is_assignable(id) || directory_.count(id) != 0);
        conn->id = id;
        Entry& e = entries_[conn->key];
        e.conn = conn;
        e.id = id;
        e.registered = true;
        directory_.emplace(id, conn->key);
        ++active_readers_;
        // Counters first, whenever the effect leaves the dispatcher: the writer may deliver
        // what is pushed before the dispatcher's next line runs.
        counters.connections_accepted.add();
        std::string id_bytes(protocol::id_size, '\0');
        protocol::store_u32(std::as_writable_bytes(std::span(id_bytes)).first<4>(), id);
        push(e, std::move(id_bytes)); // addressable from now on
        log.debug("connected ", conn->remote, " as id ", id);
        auto self = shared_from_this();
        // A coroutine that fails still reports its end, so the connection is not left behind.
        asio::co_spawn(conn->strand, reader(self, conn),
                       [self, key = conn->key](std::exception_ptr e) {
                           if (e)
                               self->send(Batch{key, {}, Ending::error, describe(e)});
                       });
        asio::co_spawn(conn->strand, writer(self, conn),
                       [self, key = conn->key](std::exception_ptr e) {
                           if (e)
                               self->send(WriterDone{key, describe(e)});
                       });
    }

    static std::string describe(std::exception_ptr e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            return x.what();
        } catch (...) {
            return "unknown exception";
        }
    }

    void on(Batch& batch) {
        Entry* e = find_entry(batch.key);
        if (e == nullptr)
            return;
        e->reader_done = batch.ending != Ending::none;
        e->ack_pending = !e->reader_done;
        e->held = std::move(batch.frames);
        e->held_next = 0;
        e->ending = batch.ending;
        e->detail = std::move(batch.detail);
        resume(*e);
    }

    /// Routes the held batch until a destination is full (the sender pauses: no answer yet),
    /// then answers the reader, or handles how its input ended.
    void resume(Entry& e) {
        if (e.closed) { // its reader stops; what it had read is dropped with it
            e.held.clear();
        } else {
            while ((e.blocked_on.empty() || stopping_) && e.held_next < e.held.size())
                route(e, e.held[e.held_next++]);
            if (!e.blocked_on.empty() && !stopping_) {
                if (!e.paused) {
                    e.paused = true;
                    counters.senders_paused.add();
                    log.debug("pausing id ", e.id, ": the queue of id ", e.blocked_on.front(),
                              " is above ", config.high_water, " bytes");
                }
                return;
            }
        }
        e.paused = false;
        e.blocked_on.clear();
        e.held.clear();
        e.held_next = 0;
        if (e.ack_pending) {
            e.ack_pending = false;
            e.conn->ack.try_send(error_code{}, !stopping_ && !e.closed);
        } else if (e.reader_done && !e.routing_done) {
            input_ended(e);
        }
    }

    /// The reader's last batch is routed: act on how its input ended.
    void input_ended(Entry& e) {
        e.routing_done = true;
        --active_readers_;
        switch (e.closed ? Ending::stopped : e.ending) {
        case Ending::eof:
            // EOF is leaving: the ID is freed at once, what is queued is still flushed. While
            // the server stops, the ID stays until the end, so in-flight frames still arrive.
            if (!stopping_) {
                unregister(e);
                send_end(e);
            }
            break;
        case Ending::error:
            close(e, CloseReason::error, e.detail);
            break;
        case Ending::frame_too_large:
            close(e, CloseReason::frame_too_large, e.detail);
            break;
        case Ending::none:
        case Ending::stopped:
            break;
        }
        if (stopping_ && active_readers_ == 0)
            end_all(); // nothing can be routed any more: every writer may flush and close
        maybe_reap(e);
    }

    void route(Entry& sender, RoutedFrame& frame) {
        Entry* dest = find_peer(frame.destination);
        if (dest == nullptr) {
            counters.frames_unknown_destination.add();
            if (config.error_notices) {
                counters.error_notices_sent.add();
                push(sender, protocol::encode_error_notice("unknown destination " +
                                                           std::to_string(frame.destination)));
                block_if_full(sender, sender);
            }
            return;
        }
        counters.frames_routed.add();
        counters.bytes_routed.add(frame.payload.size());
        push(*dest, std::move(frame.payload));
        block_if_full(sender, *dest);
    }

    void push(Entry& dest, std::string bytes) {
        if (dest.closed || dest.end_sent)
            return; // not reached: such a peer is no longer in the directory
        if (dest.queued_bytes == 0)
            dest.last_progress = Clock::now(); // the slow-consumer clock starts now
        dest.queued_bytes += bytes.size();
        ++dest.queued_frames;
        dest.conn->outbox.try_send(error_code{}, Outgoing{Outgoing::Kind::bytes, std::move(bytes)});
    }

    void block_if_full(Entry& sender, Entry& dest) {
        if (stopping_ || dest.queued_bytes <= config.high_water)
            return;
        if (std::find(sender.blocked_on.begin(), sender.blocked_on.end(), dest.id) ==
            sender.blocked_on.end())
            sender.blocked_on.push_back(dest.id);
        if (std::find(dest.paused_senders.begin(), dest.paused_senders.end(), sender.conn->key) ==
            dest.paused_senders.end())
            dest.paused_senders.push_back(sender.conn->key);
    }

    /// `dest` drained to low water or left: the senders waiting for it may go on.
    void wake_paused_senders(Entry& dest) {
        const PeerId id = dest.id;
        const std::vector<std::uint64_t> senders = std::exchange(dest.paused_senders, {});
        for (const std::uint64_t key : senders) {
            Entry* sender = find_entry(key);
            if (sender == nullptr)
                continue;
            const auto it = std::find(sender->blocked_on.begin(), sender->blocked_on.end(), id);
            if (it == sender->blocked_on.end())
                continue;
            sender->blocked_on.erase(it);
            if (sender->blocked_on.empty())
                resume(*sender);
        }
    }

    void on(Written& message) {
        Entry* e = find_entry(message.key);
        if (e == nullptr)
            return;
        e->queued_bytes -= message.bytes;
        e->queued_frames -= message.frames;
        if (message.bytes > 0)
            e->last_progress = Clock::now();
        if (e->queued_bytes <= config.low_water && !e->paused_senders.empty())
            wake_paused_senders(*e);
    }

    void on(WriterDone& message) {
        Entry* e = find_entry(message.key);
        if (e == nullptr)
            return;
        e->writer_done = true;
        if (!message.error.empty())
            close(*e, CloseReason::error, message.error);
        else if (!e->closed) { // flushed and closed cleanly
            e->closed = true;
            unregister(*e);
        }
        maybe_reap(*e);
    }

    void on(Tick&) {
        const auto now = Clock::now();
        for (auto& [key, e] : entries_) // close() only marks: no entry is erased here
            if (!e.closed && e.queued_bytes > 0 &&
                now - e.last_progress >= config.slow_consumer_timeout)
                close(e, CloseReason::slow_consumer);
    }

    void on(StopRequest& request) {
        if (!stopping_) {
            stopping_ = true;
            log.info("stopping: listener closed, flushing ", entries_.size(),
                     " connection(s) within ", config.drain_timeout.count(), "ms");
            asio::post(acceptor_strand_, [self = shared_from_this()] {
                error_code ignored;
                self->acceptor_.close(ignored);
            });
            drain_deadline_.expires_after(config.drain_timeout);
            drain_deadline_.async_wait([self = shared_from_this()](error_code ec) {
                if (!ec)
                    self->send(DrainDeadline{});
            });
            for (auto& [key, e] : entries_) {
                if (e.reader_done)
                    continue;
                asio::post(e.conn->strand, [conn = e.conn] {
                    conn->stop_reading = true;
                    conn->read_cancel.emit(asio::cancellation_type::terminal);
                });
                if (e.paused)
                    resume(e); // what it read is routed, then it is told to stop
            }
            if (active_readers_ == 0)
                end_all();
        }
        if (request.abort)
            for (auto& [key, e] : entries_)
                close(e, CloseReason::aborted);
    }

    void on(DrainDeadline&) {
        for (auto& [key, e] : entries_)
            if (!e.closed)
                close(e, e.end_sent && e.queued_bytes == 0 ? CloseReason::linger_ended
                                                           : CloseReason::drain_timeout);
    }

    void on(AcceptDone&) { accepting_done_ = true; }

    void send_end(Entry& e) {
        if (e.end_sent || e.closed)
            return;
        e.end_sent = true;
        e.conn->outbox.try_send(error_code{}, Outgoing{Outgoing::Kind::end, {}});
    }

    void end_all() {
        for (auto& [key, e] : entries_)
            send_end(e);
    }

    /// Forced close: free the ID, drop what is queued, close the socket on its strand.
    void close(Entry& e, CloseReason reason, std::string_view detail = {}) {
        if (e.closed)
            return;
        e.closed = true;
        unregister(e);
        switch (reason) {
        case CloseReason::error:
            counters.disconnects_error.add();
            log.debug("closing ", e.conn->remote, " id ", e.id, ": ", detail);
            break;
        case CloseReason::linger_ended:
            log.debug("closing ", e.conn->remote, " id ", e.id, ": flushed, client still sending");
            break;
        case CloseReason::frame_too_large:
            counters.disconnects_frame_too_large.add();
            log.warning("disconnecting ", e.conn->remote, " id ", e.id, ": frame too large (",
                        detail, ")");
            break;
        default:
            if (reason == CloseReason::slow_consumer)
                counters.disconnects_slow_consumer.add();
            log.warning("disconnecting ", e.conn->remote, " id ", e.id, ": ",
                        reason == CloseReason::slow_consumer   ? "slow consumer"
                        : reason == CloseReason::drain_timeout ? "drain deadline passed"
                                                               : "server aborted",
                        ", dropping ", e.queued_frames, " queued frame(s), ", e.queued_bytes,
                        " bytes");
        }
        asio::post(e.conn->strand, [conn = e.conn] { close_socket(*conn); });
        e.conn->outbox.try_send(error_code{}, Outgoing{Outgoing::Kind::abort, {}});
        resume(e); // drops a held batch, answers a waiting reader with "stop"
        maybe_reap(e);
    }

    void unregister(Entry& e) {
        if (!e.registered)
            return;
        directory_.erase(e.id);
        e.registered = false;
        wake_paused_senders(e); // "until the destination leaves"
    }

    /// Erasing is deferred to the end of the message: no entry disappears under a caller.
    void maybe_reap(Entry& e) {
        if (e.routing_done && e.writer_done && !e.reaping) {
            e.reaping = true;
            reap_.push_back(e.conn->key);
        }
    }

    void reap() {
        for (const std::uint64_t key : std::exchange(reap_, {})) {
            const auto it = entries_.find(key);
            Entry& e = it->second;
            unregister(e);
            counters.frames_dropped_on_close.add(e.queued_frames);
            counters.bytes_dropped_on_close.add(e.queued_bytes);
            const tcp::endpoint remote = e.conn->remote;
            const PeerId id = e.id;
            entries_.erase(it);
            --live_; // first: a client that sees the count drop may connect into the free slot
            counters.connections_closed.add();
            log.debug("disconnected ", remote, " id ", id);
        }
    }

    void maybe_finish_stop() {
        if (!stopping_ || !accepting_done_ || !entries_.empty() || done_)
            return;
        done_ = true; // the dispatcher and the housekeeping loop end
        housekeeping_.cancel();
        drain_deadline_.cancel();
        log.info("stopped: ", to_string(counters.snapshot()));
        std::vector<std::function<void()>> handlers;
        {
            std::lock_guard lock(control_mutex_);
            finished_ = true;
            handlers = std::exchange(stopped_handlers_, {});
        }
        finished_cv_.notify_all();
        // The pool is joined on the user's thread, never on one of its own.
        asio::post(user_io_, [self = shared_from_this(), handlers = std::move(handlers)] {
            self->join();
            for (const auto& h : handlers)
                h();
            self->user_guard_.reset();
        });
    }

    Entry* find_entry(std::uint64_t key) {
        const auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : &it->second;
    }

    Entry* find_peer(PeerId id) {
        const auto it = directory_.find(id);
        return it == directory_.end() ? nullptr : find_entry(it->second);
    }

    asio::io_context& user_io_;
    asio::io_context pool_; // before every I/O object of the model: destroyed after them
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> pool_guard_{
        pool_.get_executor()};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> user_guard_;
    std::mutex join_mutex_;
    std::vector<std::thread> threads_;

    Strand acceptor_strand_;
    tcp::acceptor acceptor_;
    std::atomic<std::size_t> live_{0}; ///< connections counted against max_connections

    // ---- owned by the dispatcher (its strand); nobody else touches these
    Strand dispatcher_strand_;
    Channel<Event> inbox_;
    asio::steady_timer housekeeping_;
    asio::steady_timer drain_deadline_;
    std::unordered_map<std::uint64_t, Entry> entries_; ///< every live connection, by key
    std::unordered_map<PeerId, std::uint64_t> directory_;
    std::vector<std::uint64_t> reap_;
    std::mt19937 random_;
    std::size_t active_readers_ = 0; ///< connections whose frames may still be routed
    bool stopping_ = false;
    bool accepting_done_ = false;
    bool done_ = false;

    // ---- the control plane: stop handlers and "finished", for callers on any thread
    std::mutex control_mutex_;
    std::condition_variable finished_cv_;
    std::vector<std::function<void()>> stopped_handlers_;
    bool started_ = false;
    bool finished_ = false;
};

} // namespace

std::unique_ptr<ServerModel> make_channels_model(asio::io_context& io, Config config) {
    return std::make_unique<PoolFacade<State>>(io, std::move(config));
}

} // namespace switchboard::detail
