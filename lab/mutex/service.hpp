// The mutex design (docs/patterns.md): the classic multi-threaded server, on the same core
// pieces as the product. A pool of threads runs one io_context of the design's own; every
// connection has a reader and a writer coroutine, both on the connection's strand (so its
// socket is touched by one thread at a time); the directory of peers is one core::Directory
// behind one std::mutex (peers.hpp), and each peer's queue, paused senders and state behind
// the peer's own std::mutex (peer.hpp). Any thread may queue into any peer's outbox. The
// only difference from single-task is how connections share state: the same read chunks,
// outbox, copy threshold, close reasons, log lines, policies and listener.
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
//   shared_ptr out, and a peer's lock only queues, gathers or consumes. (Under a peer's lock
//   the outbox may take or give back a chunk, which takes the chunk pool's free-list lock
//   for a moment: a leaf, held while taking no other, so it can close no cycle.)
// - A peer's strand is the only place its state changes, its socket is touched and its
//   queue is dropped. Another thread that wants it closed (the slow-consumer sweep, the drain
//   deadline, an abort) or woken posts that to its strand: its timers are not thread-safe,
//   and a close can then never drop the queue while its writer is between gather and consume.
// - Writes as in the product: the writer gathers views of the queue under the lock, unlocks,
//   writes without blocking, and locks again to consume. Between the two locks others may
//   only append, behind what it gathered; only the writer consumes, only its strand clears.
//
// The honest price of threads, visible in the comparison: every frame takes the directory's
// lock and its destination's, and a shared_ptr copy; read chunks are shared between threads,
// so their reference counts are atomic and their pool's free list locked (Sharing::threads);
// every counter add is an atomic read-modify-write; waking a peer on another strand is a post.
#pragma once

#include "core/chunk.hpp"
#include "core/counters.hpp"
#include "lab/model.hpp"
#include "lab/mutex/peers.hpp"
#include "lab/pool/thread_pool.hpp"
#include "single_task/engine.hpp"
#include "single_task/net.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/error_code.hpp>

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace switchboard::lab::mutex {

namespace net = single_task::net; // the TCP side, shared with the product

class Service final : public single_task::Engine, public std::enable_shared_from_this<Service> {
public:
    Service(boost::asio::io_context& user_io, Config config, const Options& options);

    // Engine (lifecycle.cpp)
    void start(StoppedHandler on_stopped) override;
    void stop() override;
    void abort() override;
    void join() override;
    std::uint16_t port() const noexcept override { return bound_.port; }
    std::string local_address() const override { return bound_.address; }
    std::string design() const override;
    Stats stats() const noexcept override { return counters_.snapshot(); }

private:
    using tcp = boost::asio::ip::tcp;
    using Self = std::shared_ptr<Service>;
    using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

    // lifecycle.cpp: the listener, the server's time, stopping; all on the control strand.
    boost::asio::awaitable<void> accept_loop(Self self);
    void admit(tcp::socket socket);
    boost::asio::awaitable<void> housekeeping_loop(Self self);
    void begin_stop();
    void begin_abort();
    void maybe_finish();

    // session.cpp: one connection's coroutines, on its strand.
    boost::asio::awaitable<void> session(Self self, PeerPtr peer);
    boost::asio::awaitable<void> reader(Self self, Peer& peer);
    boost::asio::awaitable<void> writer(Self self, Peer& peer);
    boost::asio::awaitable<void> linger(Peer& peer);
    enum class Step { wrote, idle, blocked, finished, lingering, done, failed };
    /// One turn of the writer, with no suspension: decide, gather, write, consume.
    Step write_once(Peer& peer, boost::system::error_code& error);
    void forget(Peer& peer);
    void fail(Peer& peer, const std::exception& error);

    // routing.cpp: a reader's frames into other peers' queues; pausing and resuming.
    enum class Input { need_more, paused, closed };
    Input route_input(Peer& sender, Clock::time_point now);
    bool still_paused(Peer& sender);
    struct Queued {
        bool accepted = false; ///< false: the destination has left (or is leaving)
        bool full = false;     ///< above high water: the sender is registered as paused
        bool wake = false;     ///< its writer was waiting: wake it
    };
    /// Queues `payload` (a routed frame's, read into the sender's input chunk, or a notice)
    /// under the destination's lock, and only that lock.
    Queued enqueue(Peer& destination, Peer& sender, std::span<const std::byte> payload, bool routed,
                   Clock::time_point now);
    void wrote(Peer& peer, std::size_t n, Clock::time_point now);
    void resume(const std::vector<PeerId>& senders);

    // closing.cpp: changes of state, on the peer's strand, and requests from elsewhere.
    void settle(Peer& peer, Transition transition);
    void input_ended(Peer& peer, std::string_view error);
    void reader_finished(Peer& peer);
    void linger_ended(Peer& peer);
    void close(Peer& peer, core::CloseReason reason, std::string_view detail = {});
    /// Runs `request` on the peer's strand, from any thread.
    void post_to(const PeerPtr& peer, std::function<void(Service&, Peer&)> request);
    void wake_writer(const PeerPtr& peer);
    void wake_all_writers();

    boost::asio::io_context& user_io_;
    const Config config_;
    const Logger log_;
    core::SharedCounters counters_;
    // Chunks are shared between threads; both pools outlive every peer (declared before the
    // thread pool, whose io_context destroys whatever is still queued).
    core::ChunkPool read_chunks_;
    core::ChunkPool staging_chunks_; ///< small payloads are copied here (Outbox::enqueue)
    pool::ThreadPool pool_;          // before every I/O object: destroyed after them
    Strand control_;                 ///< the listener, the timers and the lifecycle flags
    tcp::acceptor acceptor_;
    boost::asio::steady_timer housekeeping_;
    boost::asio::steady_timer drain_deadline_;
    Peers peers_;

    /// Peers in state open: readers that may still route. While draining, a stopping peer
    /// finishes only once this is 0, so no frame already read is left behind.
    std::atomic<std::size_t> reading_{0};
    /// Stop or abort began: readers stop, nothing pauses any more.
    std::atomic<bool> draining_{false};
    std::atomic<bool> started_{false};

    // On the control strand only.
    bool accepting_ = false;
    bool stopping_ = false;
    bool finished_ = false;

    StoppedHandler on_stopped_; ///< set by start(), run on the user's thread
    net::Bound bound_;
};

} // namespace switchboard::lab::mutex
