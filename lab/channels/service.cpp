// The channels engine's life and the loops that are not one connection's: start, stop, abort
// and join; the accept loop; the dispatcher's loop over its inbox; the housekeeping timer; and
// what the dispatcher asks of the engine (DispatcherHost).
#include "lab/channels/service.hpp"

#include "core/log_lines.hpp"
#include "core/policy.hpp"
#include "lab/engines.hpp"
#include "single_task/net.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <limits>
#include <utility>

namespace switchboard::lab {

std::shared_ptr<single_task::Engine>
make_channels_engine(boost::asio::io_context& io, const Config& config, const Options& options) {
    return std::make_shared<channels::Service>(io, config, options);
}

} // namespace switchboard::lab

namespace switchboard::lab::channels {

namespace asio = boost::asio;
using asio::use_awaitable;
using error_code = boost::system::error_code;

Service::Service(asio::io_context& user_io, const Config& config, const Options& options)
    : config_(config)
    , log_(config_.log_level, config_.log_sink)
    , read_chunks_(options.tuning.read_chunk_size, core::Sharing::threads)
    , staging_chunks_(core::staging_chunk_size, core::Sharing::threads)
    , pool_(user_io, pool::resolve_threads(options.threads))
    , acceptor_strand_(asio::make_strand(pool_.context()))
    , acceptor_(acceptor_strand_)
    , dispatcher_strand_(asio::make_strand(pool_.context()))
    , inbox_(dispatcher_strand_, std::numeric_limits<std::size_t>::max())
    , housekeeping_(dispatcher_strand_)
    , drain_deadline_(dispatcher_strand_)
    , dispatcher_(config_, log_, counters_, staging_chunks_, *this) {}

std::string Service::design() const {
    return pool_.describe("channels");
}

void Service::send(Event event) {
    inbox_.try_send(error_code{}, std::move(event));
}

// --- the Engine contract: called on the user's thread (join: any thread)

void Service::start(StoppedHandler on_stopped) {
    bound_ = net::open_listener(acceptor_, config_);
    on_stopped_ = std::move(on_stopped);
    const Self self = shared_from_this();
    // Nothing runs before the pool starts: the strands only queue these.
    asio::co_spawn(dispatcher_strand_, dispatch_loop(self),
                   core::log_failure(self, log_, "dispatcher"));
    asio::co_spawn(dispatcher_strand_, housekeeping_loop(self),
                   core::log_failure(self, log_, "housekeeping"));
    // Its completion handler says it has ended, however it ended: the stop waits for that.
    asio::co_spawn(acceptor_strand_, accept_loop(self), [self](std::exception_ptr error) {
        if (error)
            self->log_.error("accept loop failed: ", core::describe(error));
        self->send(AcceptDone{}); // after its last NewPeer: one sender's messages keep their order
    });
    pool_.start();
}

void Service::stop() {
    send(StopRequest{false});
}

void Service::abort() {
    send(StopRequest{true});
}

void Service::join() {
    // The abort the Server posted may never run (its io_context may not run again), so ask
    // here too; a second abort is harmless.
    if (pool_.started())
        send(StopRequest{true});
    pool_.wait_and_join();
}

// --- the loops

asio::awaitable<void> Service::accept_loop([[maybe_unused]] Self self) {
    // A stop closes the listener (posted to this strand), which aborts the accept and ends it.
    co_await net::accept_connections(
        acceptor_, log_, [this] { return asio::make_strand(pool_.context()); },
        [this](tcp::socket socket, Strand strand) {
            net::prepare_accepted(socket);
            auto connection =
                std::make_shared<Connection>(std::move(strand), std::move(socket), config_);
            connection->remote = net::remote_address(connection->socket);
            send(NewPeer{std::move(connection)}); // admitted or refused by the dispatcher
        });
}

asio::awaitable<void> Service::dispatch_loop([[maybe_unused]] Self self) {
    while (!dispatcher_.done()) {
        // Suspension: the only one. Between two messages nothing else touches what the
        // dispatcher owns, on whichever pool thread it resumes (its strand orders them).
        auto [ec, event] = co_await inbox_.async_receive(asio::as_tuple(use_awaitable));
        if (ec)
            break;
        dispatcher_.handle(event, Clock::now());
        // What else has arrived meanwhile, without suspending.
        while (!dispatcher_.done() && inbox_.try_receive([this](error_code, Event next) {
            dispatcher_.handle(next, Clock::now());
        })) {
        }
    }
}

asio::awaitable<void> Service::housekeeping_loop([[maybe_unused]] Self self) {
    const auto period = core::housekeeping_period(config_.slow_consumer_timeout);
    // On the dispatcher's strand, so reading done() here is safe.
    while (!dispatcher_.done()) {
        housekeeping_.expires_after(period);
        // Suspension: the stop's end cancels this wait; the sweep itself is a message, handled
        // with the others in order.
        auto [ec] = co_await housekeeping_.async_wait(asio::as_tuple(use_awaitable));
        if (ec || dispatcher_.done())
            break;
        send(Tick{});
    }
}

// --- DispatcherHost, on the dispatcher's strand

void Service::start_connection(Entry& entry) {
    const Self self = shared_from_this();
    const std::shared_ptr<Connection>& connection = entry.connection;
    // Each coroutine's last message is sent by its completion handler, so that it is sent
    // exactly once however the coroutine ends: the entry lives until both have arrived.
    asio::co_spawn(connection->strand, reader(self, connection),
                   [self, peer = &entry](std::exception_ptr error, Batch last) {
                       if (error) { // not expected (bad_alloc, say): the connection is closed
                           self->log_.error("reader failed: ", core::describe(error));
                           last = Batch{{}, {}, Ending::error, core::describe(error), false};
                       }
                       last.from = peer;
                       self->send(std::move(last));
                   });
    asio::co_spawn(connection->strand, writer(self, connection),
                   [self, peer = &entry](std::exception_ptr error, std::string failure) {
                       if (error) {
                           self->log_.error("writer failed: ", core::describe(error));
                           failure = core::describe(error);
                       }
                       self->send(WriterDone{peer, std::move(failure)});
                   });
}

void Service::close_listener() {
    asio::post(acceptor_strand_, [self = shared_from_this()] {
        error_code ignored;
        self->acceptor_.close(ignored); // the accept loop ends, then sends AcceptDone
    });
}

void Service::arm_drain_deadline() {
    drain_deadline_.expires_after(config_.drain_timeout);
    drain_deadline_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec)
            self->send(DrainDeadline{});
    });
}

void Service::stopped() {
    housekeeping_.cancel();
    drain_deadline_.cancel();
    // The pool is joined on the user's thread, and only then does on_stopped run there, with
    // the final counters: nothing of the engine runs any more.
    pool_.finish([self = shared_from_this()] {
        if (auto handler = std::exchange(self->on_stopped_, {}))
            handler(self->counters_.snapshot());
    });
}

} // namespace switchboard::lab::channels
