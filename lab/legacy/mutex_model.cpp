// The mutex model (docs/patterns.md): the classic multi-threaded design. A pool of threads
// runs one io_context of the model's own; every connection has a reader and a writer
// coroutine, both on the connection's strand (so the socket is only ever touched by one
// thread at a time); the directory of peers is guarded by one std::mutex, and each peer's
// write queue by the peer's own std::mutex. Any thread may push into any peer's queue.
//
// The rules that keep it correct, and the deadlock the naive version has:
// - Never hold a lock across a co_await. A coroutine may resume on another thread, and a
//   std::mutex must be unlocked by the thread that locked it; worse, a suspended holder
//   blocks every thread that wants the lock, and the pool stalls.
// - Never hold two locks at once. The naive router locks the directory, finds the
//   destination, and locks the destination's queue while still holding the directory (or
//   locks its own peer, then the destination's). With two readers routing to each other,
//   A holds A's lock and waits for B's while B holds B's and waits for A's: both threads
//   stop, and with them every connection they serve. Here the directory lock only copies a
//   shared_ptr out, and a queue lock only moves bytes.
// - Cross-thread wake-ups go through the woken peer's strand (a post), never by touching
//   its timers directly: a timer is not thread-safe.
//
// The honest cost: payloads are copied into the destination's queue (a reference-counted
// read chunk shared across threads would need atomic counts and fences on every frame), and
// every frame takes two locks.
#include "transport/listener.hpp"
#include "pool_facade.hpp"
#include "server_model.hpp"
#include "shared_counters.hpp"

#include <switchboard/log.hpp>
#include <switchboard/protocol.hpp>
#include <switchboard/stats.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace switchboard::detail {

namespace {

namespace asio = boost::asio;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Strand = asio::strand<asio::io_context::executor_type>;

constexpr auto as_tuple_awaitable = asio::as_tuple(use_awaitable);
constexpr std::size_t read_size = 64 * KiB;
constexpr std::size_t max_batch = 64; ///< payloads per gather write

enum class CloseReason { error, frame_too_large, slow_consumer, drain_timeout, aborted };

struct Peer {
    explicit Peer(asio::io_context& io)
        : strand(asio::make_strand(io))
        , socket(strand)
        , writer_wakeup(strand, asio::steady_timer::time_point::max())
        , reader_wakeup(strand, asio::steady_timer::time_point::max()) {}

    Strand strand;
    // --- touched only on the strand
    tcp::socket socket;
    tcp::endpoint remote;
    PeerId id = 0;
    asio::steady_timer writer_wakeup;
    asio::steady_timer reader_wakeup;
    asio::cancellation_signal read_cancel;
    int coroutines = 2; ///< reader and writer; the last to end cleans up
    bool eof_received = false;
    bool lingering = false; ///< our FIN is sent; discarding input until the client's FIN

    // --- guarded by `mutex`, touched by any thread
    std::mutex mutex;
    std::deque<std::string> queue; ///< payloads with their terminators, the ID first
    std::size_t queued_bytes = 0;  ///< in `queue` and in the writer's batch
    std::size_t in_flight = 0;     ///< frames in the writer's batch
    bool writer_waiting = false;
    bool input_done = false; ///< EOF or stop: flush, then close
    bool sealed = false;     ///< the writer found the queue empty and is closing: no more pushes
    bool closed = false;
    Clock::time_point last_progress;
    std::vector<PeerId> paused_senders;
};

class State : public std::enable_shared_from_this<State> {
public:
    State(asio::io_context& user_io, Config cfg)
        : config(std::move(cfg))
        , log(config.log_level, config.log_sink)
        , user_io_(user_io)
        , acceptor_strand_(asio::make_strand(pool_))
        , acceptor_(acceptor_strand_)
        , housekeeping_(pool_)
        , drain_deadline_(pool_)
        , random_(std::random_device{}()) {}

    ~State() {
        // Joined by now (stopped, or the model's destructor); a thread of the pool can never
        // join itself, so one that drops the last reference leaves the others be.
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
        log.info("listening on ", address, " (model mutex, ", n, " threads, max frame ",
                 config.max_frame, " bytes, max connections ", config.max_connections, ")");
        user_guard_.emplace(user_io_.get_executor());
        running_ = true;
        auto self = shared_from_this();
        asio::co_spawn(acceptor_strand_, accept_loop(self), log_failure("accept loop"));
        asio::co_spawn(pool_, housekeeping_loop(self), log_failure("housekeeping"));
        for (std::size_t i = 0; i < n; ++i)
            threads_.emplace_back([this] { pool_.run(); });
    }

    void stop(std::function<void()> on_stopped) {
        asio::post(pool_, [self = shared_from_this(), h = std::move(on_stopped)]() mutable {
            self->begin_stop(std::move(h), false);
        });
    }
    void abort() {
        asio::post(pool_, [self = shared_from_this()] { self->begin_stop({}, true); });
    }

    /// Lets the pool run out of work and joins it: once stopped nothing new is started, and
    /// every coroutine finishes (so none is left holding the state). Never on a pool thread.
    void join() {
        pool_guard_.reset();
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
        threads_.clear();
    }

    /// For the model's destructor: abort, wait until every connection has ended, join.
    void abort_and_join() {
        if (running_) {
            abort();
            std::unique_lock lock(finished_mutex_);
            finished_cv_.wait(lock, [this] { return finished_.load(); });
        }
        join();
    }

    const Config config;
    const Logger log;
    SharedCounters counters;
    std::uint16_t port = 0;
    std::string address;

private:
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

    // ------------------------------------------------------------ accepting and lifecycle

    /// A peer is destroyed on its own strand, after everything its strand did (the last
    /// reference may be dropped by any thread: a router, the housekeeping sweep).
    std::shared_ptr<Peer> make_peer() {
        return std::shared_ptr<Peer>(new Peer(pool_), [](Peer* peer) {
            const Strand strand = peer->strand;
            asio::post(strand, [peer] { delete peer; });
        });
    }

    asio::awaitable<void> accept_loop(std::shared_ptr<State> self) {
        asio::steady_timer backoff(acceptor_strand_);
        while (acceptor_.is_open()) {
            auto peer = make_peer();
            auto [ec] = co_await acceptor_.async_accept(peer->socket, as_tuple_awaitable);
            if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                break;
            if (ec) {
                log.warning("accept failed: ", ec.message(), "; retrying in 100ms");
                backoff.expires_after(std::chrono::milliseconds(100));
                co_await backoff.async_wait(as_tuple_awaitable);
                continue;
            }
            boost::system::error_code ignored;
            if (live_.load() >= config.max_connections) {
                counters.connections_refused.add();
                log.warning("refused ", peer->socket.remote_endpoint(ignored),
                            ": at max_connections (", config.max_connections, ")");
                peer->socket.close(ignored);
                continue;
            }
            ++live_;
            ++active_readers_;
            peer->socket.non_blocking(true, ignored); // the reader reads until would_block
            peer->socket.set_option(tcp::no_delay(true), ignored);
            peer->remote = peer->socket.remote_endpoint(ignored);
            {
                std::lock_guard lock(directory_mutex_);
                do
                    peer->id = static_cast<PeerId>(random_());
                while (!protocol::is_assignable(peer->id) || directory_.count(peer->id));
                directory_.emplace(peer->id, peer);
                peers_.insert(peer);
            }
            std::string id(protocol::id_size, '\0');
            protocol::store_u32(std::as_writable_bytes(std::span(id)).first<4>(), peer->id);
            push(*peer, std::move(id));
            counters.connections_accepted.add();
            log.debug("connected ", peer->remote, " as id ", peer->id);
            asio::co_spawn(peer->strand, reader(self, peer), log_failure("reader"));
            asio::co_spawn(peer->strand, writer(self, peer), log_failure("writer"));
        }
        accepting_done_ = true;
        maybe_finish_stop();
    }

    asio::awaitable<void> housekeeping_loop([[maybe_unused]] std::shared_ptr<State> self) {
        const auto period =
            std::clamp(config.slow_consumer_timeout / 4, std::chrono::milliseconds(5),
                       std::chrono::milliseconds(1000));
        while (running_) {
            housekeeping_.expires_after(period);
            auto [ec] = co_await housekeeping_.async_wait(as_tuple_awaitable);
            if (ec)
                break;
            const auto now = Clock::now();
            for (const auto& peer : snapshot_peers()) {
                std::unique_lock lock(peer->mutex);
                const bool slow = !peer->closed && peer->queued_bytes > 0 &&
                                  now - peer->last_progress >= config.slow_consumer_timeout;
                lock.unlock();
                if (slow)
                    request_close(peer, CloseReason::slow_consumer);
            }
        }
    }

    std::vector<std::shared_ptr<Peer>> snapshot_peers() {
        std::lock_guard lock(directory_mutex_);
        return {peers_.begin(), peers_.end()};
    }

    void begin_stop(std::function<void()> on_stopped, bool abort) {
        if (on_stopped) {
            std::lock_guard lock(directory_mutex_);
            stopped_handlers_.push_back(std::move(on_stopped));
        }
        if (!stopping_.exchange(true)) {
            log.info("stopping: listener closed, flushing ", live_.load(), " connection(s) within ",
                     config.drain_timeout.count(), "ms");
            reading_stopped_ = true;
            asio::post(acceptor_strand_, [self = shared_from_this()] {
                boost::system::error_code ignored;
                self->acceptor_.close(ignored);
            });
            for (const auto& peer : snapshot_peers())
                asio::post(peer->strand, [peer] {
                    peer->read_cancel.emit(asio::cancellation_type::terminal);
                    peer->reader_wakeup.cancel();
                });
            drain_deadline_.expires_after(config.drain_timeout);
            drain_deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
                if (!ec)
                    for (const auto& peer : self->snapshot_peers())
                        self->request_close(peer, CloseReason::drain_timeout);
            });
        }
        if (abort)
            for (const auto& peer : snapshot_peers())
                request_close(peer, CloseReason::aborted);
        maybe_finish_stop();
    }

    void maybe_finish_stop() {
        if (!stopping_ || !accepting_done_ || live_.load() != 0 || finished_.exchange(true))
            return;
        running_ = false;
        housekeeping_.cancel();
        drain_deadline_.cancel();
        { std::lock_guard lock(finished_mutex_); }
        finished_cv_.notify_all();
        log.info("stopped: ", to_string(counters.snapshot()));
        std::vector<std::function<void()>> handlers;
        {
            std::lock_guard lock(directory_mutex_);
            handlers = std::move(stopped_handlers_);
        }
        // The pool is joined on the user's thread, never on one of its own.
        asio::post(user_io_, [self = shared_from_this(), handlers = std::move(handlers)] {
            self->join();
            for (const auto& h : handlers)
                h();
            self->user_guard_.reset();
        });
    }

    // ------------------------------------------------------------ one connection

    asio::awaitable<void> reader([[maybe_unused]] std::shared_ptr<State> self,
                                 std::shared_ptr<Peer> peer) {
        FrameParser parser(config.max_frame);
        std::vector<std::byte> in;
        std::size_t begin = 0, end = 0;
        bool reading = true;
        while (reading && !reading_stopped_ && !is_closed(*peer)) {
            if (in.size() - end < 512) { // keep the partial frame at the front, grow for it
                if (end > begin)         // an empty vector's data() may be null: no memmove then
                    std::memmove(in.data(), in.data() + begin, end - begin);
                end -= begin;
                begin = 0;
                if (in.size() - end < 512)
                    in.resize(std::max(in.size() * 2, read_size));
            }
            boost::system::error_code ec;
            const std::size_t n =
                peer->socket.read_some(asio::buffer(in.data() + end, in.size() - end), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                if (begin == end)
                    std::vector<std::byte>().swap(in), begin = end = 0; // idle: no buffer
                co_await peer->socket.async_wait(
                    tcp::socket::wait_read,
                    asio::bind_cancellation_slot(peer->read_cancel.slot(), as_tuple_awaitable));
                continue;
            }
            if (ec) {
                if (end > begin)
                    counters.partial_frames_discarded.add();
                if (ec == asio::error::eof) {
                    peer->eof_received = true;
                    finish_input(peer, true);
                } else
                    close_on_strand(peer, CloseReason::error, ec.message());
                break;
            }
            end += n;
            for (;;) {
                const auto r = parser.next(std::span(in.data() + begin, end - begin));
                if (r.status == FrameParser::Status::need_more)
                    break;
                if (r.status == FrameParser::Status::frame_too_large) {
                    close_on_strand(peer, CloseReason::frame_too_large,
                                    "no terminator within " + std::to_string(config.max_frame) +
                                        " bytes");
                    reading = false;
                    break;
                }
                begin += r.consumed;
                const PeerId full = route(*peer, r.frame);
                if (full != 0 && !reading_stopped_)
                    co_await wait_for_drain(peer, full); // no lock is held here
            }
        }
        if (reading_stopped_)
            finish_input(peer, false);
        if (--active_readers_ == 0 && reading_stopped_)
            for (const auto& p : snapshot_peers()) // nothing can be routed now: writers may close
                wake_writer(p);
        session_part_done(peer);
    }

    /// Looks the destination up (directory lock only), then queues (its lock only). Returns
    /// the ID of a destination now above high water, or 0.
    PeerId route(Peer& sender, const Frame& frame) {
        if (std::shared_ptr<Peer> dest = find(frame.destination)) {
            const Push pushed =
                push(*dest,
                     std::string(reinterpret_cast<const char*>(frame.payload.data()),
                                 frame.payload.size()),
                     sender.id, true);
            if (pushed != Push::refused)
                return pushed == Push::full ? dest->id : 0;
            // Between the lookup and the push it closed, or its writer flushed the last byte
            // and is closing (after an EOF): its ID is as good as free.
        }
        counters.frames_unknown_destination.add();
        if (!config.error_notices)
            return 0;
        counters.error_notices_sent.add();
        return push(sender,
                    protocol::encode_error_notice("unknown destination " +
                                                  std::to_string(frame.destination)),
                    sender.id) == Push::full
                   ? sender.id
                   : 0;
    }

    enum class Push { refused, queued, full };

    /// Queues `bytes` to `dest` and wakes its writer; refused once `dest` is closed or sealed.
    /// With `sender`, registers it as paused when the queue is now above high water (`full`).
    /// A `routed` frame is counted under the lock, before it is queued: once queued, another
    /// thread may deliver it at once, and whoever sees it delivered must see it counted.
    Push push(Peer& dest, std::string bytes, PeerId sender = 0, bool routed = false) {
        bool wake = false, full = false;
        {
            std::lock_guard lock(dest.mutex);
            if (dest.closed || dest.sealed)
                return Push::refused;
            if (routed) {
                counters.frames_routed.add();
                counters.bytes_routed.add(bytes.size());
            }
            if (dest.queued_bytes == 0)
                dest.last_progress = Clock::now();
            dest.queued_bytes += bytes.size();
            dest.queue.push_back(std::move(bytes));
            wake = std::exchange(dest.writer_waiting, false);
            full = sender != 0 && dest.queued_bytes > config.high_water;
            if (full && std::find(dest.paused_senders.begin(), dest.paused_senders.end(), sender) ==
                            dest.paused_senders.end())
                dest.paused_senders.push_back(sender);
        }
        if (wake)
            asio::post(dest.strand, [&dest] { dest.writer_wakeup.cancel(); });
        return full ? Push::full : Push::queued;
    }

    asio::awaitable<void> wait_for_drain(std::shared_ptr<Peer> sender, PeerId destination) {
        counters.senders_paused.add();
        log.debug("pausing id ", sender->id, ": the queue of id ", destination, " is above ",
                  config.high_water, " bytes");
        for (;;) {
            if (reading_stopped_ || is_closed(*sender))
                co_return;
            std::shared_ptr<Peer> dest = find(destination);
            if (!dest)
                co_return;
            {
                std::lock_guard lock(dest->mutex);
                if (dest->closed || dest->queued_bytes <= config.low_water)
                    co_return;
                if (std::find(dest->paused_senders.begin(), dest->paused_senders.end(),
                              sender->id) == dest->paused_senders.end())
                    dest->paused_senders.push_back(sender->id);
            }
            // A wake-up posted meanwhile runs on our strand only after we suspend: not lost.
            co_await sender->reader_wakeup.async_wait(as_tuple_awaitable);
        }
    }

    asio::awaitable<void> writer([[maybe_unused]] std::shared_ptr<State> self,
                                 std::shared_ptr<Peer> peer) {
        std::vector<std::string> batch;
        std::vector<asio::const_buffer> buffers;
        for (;;) {
            {
                std::unique_lock lock(peer->mutex);
                if (peer->closed)
                    break;
                if (peer->queue.empty()) {
                    if (peer->input_done && (!reading_stopped_ || active_readers_ == 0)) {
                        // Sealed under the lock that pushes take: a router that looked us up
                        // before our ID was freed cannot queue a frame nobody would write.
                        peer->sealed = true;
                        lock.unlock();
                        co_await close_gracefully(peer);
                        break;
                    }
                    peer->writer_waiting = true;
                } else {
                    while (!peer->queue.empty() && batch.size() < max_batch) {
                        batch.push_back(std::move(peer->queue.front()));
                        peer->queue.pop_front();
                    }
                    peer->in_flight = batch.size();
                }
            }
            if (batch.empty()) {
                co_await peer->writer_wakeup.async_wait(as_tuple_awaitable);
                continue;
            }
            buffers.clear();
            std::size_t bytes = 0;
            for (const auto& b : batch) {
                buffers.emplace_back(b.data(), b.size());
                bytes += b.size();
            }
            auto [ec, written] =
                co_await asio::async_write(peer->socket, buffers, as_tuple_awaitable);
            std::vector<PeerId> wake;
            {
                std::lock_guard lock(peer->mutex);
                peer->queued_bytes -= written;
                peer->in_flight = 0;
                if (written > 0)
                    peer->last_progress = Clock::now();
                if (!ec && peer->queued_bytes <= config.low_water)
                    wake = std::move(peer->paused_senders), peer->paused_senders.clear();
                if (ec) { // the rest of the batch is lost with the connection
                    std::size_t done = 0, sent = 0;
                    while (done < batch.size() && sent + batch[done].size() <= written)
                        sent += batch[done++].size();
                    counters.frames_dropped_on_close.add(batch.size() - done);
                    counters.bytes_dropped_on_close.add(bytes - written);
                    peer->queued_bytes -= bytes - written;
                }
            }
            batch.clear();
            wake_senders(wake);
            if (ec) {
                close_on_strand(peer, CloseReason::error, ec.message());
                break;
            }
        }
        session_part_done(peer);
    }

    asio::awaitable<void> close_gracefully(std::shared_ptr<Peer> peer) {
        boost::system::error_code ec;
        peer->socket.shutdown(tcp::socket::shutdown_send, ec);
        // Linger until the client's FIN: closing with its data unread would reset the
        // connection and could destroy what it has not read yet. The drain deadline bounds it.
        peer->lingering = true;
        std::array<std::byte, 4096> sink;
        while (!peer->eof_received && !is_closed(*peer)) {
            peer->socket.read_some(asio::buffer(sink), ec);
            if (ec == asio::error::would_block || ec == asio::error::try_again) {
                co_await peer->socket.async_wait(tcp::socket::wait_read, as_tuple_awaitable);
                continue;
            }
            if (ec)
                break;
        }
        {
            std::lock_guard lock(peer->mutex);
            peer->closed = true;
        }
        unregister(*peer);
        peer->socket.close(ec);
    }

    // ------------------------------------------------------------ closing

    void finish_input(const std::shared_ptr<Peer>& peer, bool free_id) {
        std::vector<PeerId> wake;
        {
            std::lock_guard lock(peer->mutex);
            peer->input_done = true;
            if (free_id && !reading_stopped_)
                wake = std::move(peer->paused_senders); // "until the destination leaves"
        }
        if (free_id && !reading_stopped_)
            unregister(*peer); // EOF is leaving: the ID is free at once
        wake_senders(wake);
        wake_writer(peer);
    }

    void wake_writer(const std::shared_ptr<Peer>& peer) {
        asio::post(peer->strand, [peer] { peer->writer_wakeup.cancel(); });
    }

    void wake_senders(const std::vector<PeerId>& ids) {
        for (const PeerId id : ids)
            if (auto sender = find(id))
                asio::post(sender->strand, [sender] { sender->reader_wakeup.cancel(); });
    }

    void request_close(const std::shared_ptr<Peer>& peer, CloseReason reason) {
        asio::post(peer->strand, [self = shared_from_this(), peer, reason] {
            self->close_on_strand(peer, reason, {});
        });
    }

    /// On the peer's strand: mark closed, free the ID, drop the queue, close the socket.
    void close_on_strand(const std::shared_ptr<Peer>& peer, CloseReason reason,
                         std::string_view detail) {
        std::vector<PeerId> wake;
        std::size_t frames = 0, bytes = 0;
        {
            std::lock_guard lock(peer->mutex);
            if (peer->closed)
                return;
            peer->closed = true;
            frames = peer->queue.size();
            for (const auto& b : peer->queue)
                bytes += b.size();
            peer->queued_bytes -= bytes;
            peer->queue.clear();
            wake = std::move(peer->paused_senders);
        }
        unregister(*peer);
        counters.frames_dropped_on_close.add(frames);
        if (reason == CloseReason::drain_timeout && peer->lingering) {
            reason = CloseReason::error; // everything was flushed; the client just kept sending
            detail = "flushed, client still sending";
        } else if (reason == CloseReason::error)
            counters.disconnects_error.add();
        counters.bytes_dropped_on_close.add(bytes);
        switch (reason) {
        case CloseReason::error:
            log.debug("closing ", peer->remote, " id ", peer->id, ": ", detail);
            break;
        case CloseReason::frame_too_large:
            counters.disconnects_frame_too_large.add();
            log.warning("disconnecting ", peer->remote, " id ", peer->id, ": frame too large (",
                        detail, ")");
            break;
        case CloseReason::slow_consumer:
            counters.disconnects_slow_consumer.add();
            [[fallthrough]];
        default:
            log.warning("disconnecting ", peer->remote, " id ", peer->id, ": ",
                        reason == CloseReason::slow_consumer   ? "slow consumer"
                        : reason == CloseReason::drain_timeout ? "drain deadline passed"
                                                               : "server aborted",
                        ", dropping ", frames, " queued frame(s), ", bytes, " bytes");
        }
        boost::system::error_code ignored;
        peer->socket.close(ignored); // aborts the pending wait or write on this strand
        peer->writer_wakeup.cancel();
        peer->reader_wakeup.cancel();
        wake_senders(wake);
    }

    void unregister(const Peer& peer) {
        std::lock_guard lock(directory_mutex_);
        const auto it = directory_.find(peer.id);
        if (it != directory_.end() && it->second.get() == &peer)
            directory_.erase(it);
    }

    /// Both coroutines of a peer have ended (on its strand): it leaves.
    void session_part_done(const std::shared_ptr<Peer>& peer) {
        if (--peer->coroutines != 0)
            return;
        if (!is_closed(*peer))
            close_on_strand(peer, CloseReason::error, "session ended");
        {
            std::lock_guard lock(directory_mutex_);
            peers_.erase(peer);
        }
        --live_; // first: a client that sees the count drop may connect into the free slot
        counters.connections_closed.add();
        log.debug("disconnected ", peer->remote, " id ", peer->id);
        maybe_finish_stop();
    }

    std::shared_ptr<Peer> find(PeerId id) {
        std::lock_guard lock(directory_mutex_);
        const auto it = directory_.find(id);
        return it == directory_.end() ? nullptr : it->second;
    }

    static bool is_closed(Peer& peer) {
        std::lock_guard lock(peer.mutex);
        return peer.closed;
    }

    asio::io_context& user_io_;
    asio::io_context pool_; // before every I/O object of the model: destroyed after them
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> pool_guard_{
        pool_.get_executor()};
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> user_guard_;
    std::vector<std::thread> threads_;
    Strand acceptor_strand_;
    tcp::acceptor acceptor_;
    asio::steady_timer housekeeping_;
    asio::steady_timer drain_deadline_;

    std::mutex directory_mutex_; ///< guards directory_, peers_, random_, stopped_handlers_
    std::unordered_map<PeerId, std::shared_ptr<Peer>> directory_;
    std::unordered_set<std::shared_ptr<Peer>> peers_; ///< every live peer, registered or not
    std::mt19937 random_;
    std::vector<std::function<void()>> stopped_handlers_;

    std::atomic<std::size_t> live_{0};
    std::atomic<std::size_t> active_readers_{0};
    std::atomic<bool> reading_stopped_{false};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> accepting_done_{false};
    std::atomic<bool> finished_{false};
    std::atomic<bool> running_{false};
    std::mutex finished_mutex_; ///< with finished_cv_: the destructor waits for the stop
    std::condition_variable finished_cv_;
};

} // namespace

std::unique_ptr<ServerModel> make_mutex_model(asio::io_context& io, Config config) {
    return std::make_unique<PoolFacade<State>>(io, std::move(config));
}

} // namespace switchboard::detail
