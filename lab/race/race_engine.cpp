// The race model (docs/patterns.md): one thread, ONE coroutine, around the single-task
// model's Relay. Each turn it builds the list of every operation it could wait for: the
// turn's timer (the next housekeeping, drain deadline or end of an accept back-off), the
// listener's readiness, a readiness wait for every peer it would read or linger-read, and an
// async_write_some of the gathered queue for every peer the relay has bytes for. It launches
// them all as one ranged parallel group with wait_for_one; when the first completes, the
// group cancels the rest and waits for them, and the turn handles every operation that did
// complete. Then it goes round again.
//
// Cost: every turn initiates and cancels O(live connections) operations (each readiness wait
// an epoll_ctl), however few are active. That is the design, kept honest here: nothing is
// cached between turns.
//
// Why cancel-and-relaunch is safe: reads are readiness waits, and a cancelled wait consumed
// nothing (the bytes are read with non-blocking calls after it completed; a relaunched wait
// re-arms the descriptor, so readiness that came meanwhile is reported at once). The
// listener likewise. Writes are real operations: one may complete before the group cancels
// it, so the results of *every* completed operation are handled, not just the winner's, and
// writes first. While the group is pending nothing touches the state: stop and abort only
// set a flag and cancel the turn's timer, so the queues the writes read stay put; and peers
// are reaped only at the top of a turn, so the pointers the operations hold stay valid.
#include "core/log_lines.hpp"
#include "lab/engines.hpp"
#include "lab/one_thread/host.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace switchboard::lab::race {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using one_thread::Connection;

class Race;

/// One operation of a turn. A ranged group takes operations of one type, so the four kinds
/// are one initiation with one completion signature, void(error_code, bytes); the waits
/// complete with 0 bytes.
struct Operation {
    enum class Kind { timer, accept, readable, write };
    Kind kind;
    Race* race;
    Connection* peer = nullptr;                    ///< readable, write
    std::span<const asio::const_buffer> buffers{}; ///< write: the turn's gathered queue

    template <typename Handler>
    void operator()(Handler&& handler) const;
};

auto deferred(const Operation& op) {
    return asio::async_initiate<const asio::deferred_t&, void(error_code, std::size_t)>(
        op, asio::deferred);
}
using Deferred = decltype(deferred(std::declval<const Operation&>()));

class Race final : public one_thread::Host {
public:
    Race(asio::io_context& io, const Config& config, single_task::Tuning tuning)
        : Host(io, config, tuning)
        , wake_(io)
        , posting_(asio::require(io.get_executor(), asio::execution::blocking.never)) {}

    void start(StoppedHandler on_stopped) override {
        open(std::move(on_stopped));
        asio::co_spawn(io_, loop(self<Race>()), [self = self<Race>()](std::exception_ptr error) {
            if (error)
                self->log_.error("race loop failed: ", core::describe(error));
        });
    }
    // A turn's operations may be pending: only a flag and the timer are touched, and the top
    // of the next turn acts on the request.
    void stop() override {
        stop_requested_ = true;
        wake_.cancel();
    }
    void abort() override {
        abort_requested_ = true;
        wake_.cancel();
    }
    std::string design() const override { return "race"; }

private:
    friend struct Operation;

    asio::awaitable<void> loop(std::shared_ptr<Race> self);
    void begin_turn();
    void build_turn(std::vector<Operation>& operations, std::vector<asio::const_buffer>& buffers);
    void handle(const Operation& op, const error_code& ec, std::size_t bytes);

    asio::steady_timer wake_; ///< the turn's own operation; stop() and abort() cancel it
    /// The io_context's executor, but posting: see Operation.
    decltype(asio::require(std::declval<asio::io_context::executor_type>(),
                           asio::execution::blocking.never)) posting_;
    bool stop_requested_ = false;
    bool abort_requested_ = false;
};

template <typename Handler>
void Operation::operator()(Handler&& handler) const {
    // The group cancels an operation through the slot of the handler it passes, so
    // every adapter keeps that slot. Completions are posted, never run inline, so the
    // operations that became ready in the same poll all complete before the first
    // one's handler decides the race: one turn handles them together.
    auto slot = asio::get_associated_cancellation_slot(handler);
    const auto& ex = race->posting_;
    if (kind == Kind::write) {
        peer->socket.async_write_some(
            buffers, asio::bind_cancellation_slot(
                         slot, asio::bind_executor(ex, std::forward<Handler>(handler))));
        return;
    }
    auto done = asio::bind_cancellation_slot(
        slot, asio::bind_executor(ex, [h = std::forward<Handler>(handler)](error_code ec) mutable {
            std::move(h)(ec, std::size_t{0});
        }));
    switch (kind) {
    case Kind::timer:
        race->wake_.async_wait(std::move(done));
        break;
    case Kind::accept:
        race->acceptor_.async_wait(asio::socket_base::wait_read, std::move(done));
        break;
    default:
        peer->socket.async_wait(asio::socket_base::wait_read, std::move(done));
        break;
    }
}

asio::awaitable<void> Race::loop([[maybe_unused]] std::shared_ptr<Race> self) {
    std::vector<Operation> operations;
    std::vector<asio::const_buffer> buffers;
    std::vector<Deferred> launched;
    std::uint64_t turns = 0, operations_launched = 0; // the design's cost, logged at the end
    for (;;) {
        begin_turn();
        if (stopped())
            break;
        build_turn(operations, buffers);
        launched.clear();
        launched.reserve(operations.size());
        for (const Operation& op : operations)
            launched.push_back(deferred(op));
        ++turns;
        operations_launched += operations.size();

        // Suspension, the only one. Nothing touches the state meanwhile (stop and abort set
        // a flag and cancel the timer), so the queues the writes gather from stay put, and no
        // peer is reaped, so the pointers in `operations` stay valid.
        auto [order, errors, bytes] =
            co_await asio::experimental::make_parallel_group(std::move(launched))
                .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);

        // Writes first: bytes the kernel took in this turn were sent, whatever the other
        // completions then do to the peer (a read error closes it and counts what is still
        // queued as dropped, which must not include bytes already written).
        for (const std::size_t i : order)
            if (operations[i].kind == Operation::Kind::write)
                handle(operations[i], errors[i], bytes[i]);
        for (const std::size_t i : order)
            if (operations[i].kind != Operation::Kind::write)
                handle(operations[i], errors[i], bytes[i]);
    }
    log_.debug("race loop: ", turns, " turns, ", operations_launched, " operations launched");
}

void Race::begin_turn() {
    if (std::exchange(stop_requested_, false))
        begin_stop();
    if (std::exchange(abort_requested_, false))
        begin_abort();
    on_timer(Clock::now());
    // What the relay asked during the last turn's handling (or the requests above): resumed
    // senders route what they hold, stopped readers finish, flushed writers send their FIN.
    // Settling may wake others in turn; the list runs dry because each step consumes input.
    while (has_pending()) {
        for (const auto& c : take_pending()) {
            try {
                settle(*c);
            } catch (const std::exception& e) {
                fail(*c, e);
            }
        }
    }
    reap(); // no operation is pending: closed peers can go
}

void Race::build_turn(std::vector<Operation>& operations,
                      std::vector<asio::const_buffer>& buffers) {
    const auto now = Clock::now();
    operations.clear();
    wake_.expires_at(next_deadline());
    operations.push_back({Operation::Kind::timer, this});
    if (may_accept(now))
        operations.push_back({Operation::Kind::accept, this});
    std::size_t writers = 0;
    for (single_task::Peer* peer : relay_.peers()) {
        auto* c = static_cast<Connection*>(peer);
        if (wants_read(*c) || wants_linger_read(*c))
            operations.push_back({Operation::Kind::readable, this, c});
        if (wants_write(*c)) {
            operations.push_back({Operation::Kind::write, this, c});
            ++writers;
        }
    }
    // Every write's iovecs, sized once so that the spans the operations hold stay valid.
    buffers.resize(writers * core::max_write_entries);
    std::span<asio::const_buffer> room(buffers);
    for (Operation& op : operations) {
        if (op.kind != Operation::Kind::write)
            continue;
        const std::size_t count = gather(*op.peer, room.first(core::max_write_entries));
        op.buffers = room.first(count);
        room = room.subspan(core::max_write_entries);
    }
}

void Race::handle(const Operation& op, const error_code& ec, std::size_t bytes) {
    using Kind = Operation::Kind;
    try {
        switch (op.kind) {
        case Kind::write:
            wrote(*op.peer, bytes, ec);
            break;
        case Kind::readable:
            if (ec == asio::error::operation_aborted)
                break; // cancelled by the group: nothing was consumed; next turn waits again
            // Ready, or an error that the read reports. Whatever is left after the budget is
            // reported at once by the next turn's wait.
            if (wants_read(*op.peer))
                read_input(*op.peer);
            else if (wants_linger_read(*op.peer))
                discard_input(*op.peer);
            break;
        case Kind::accept:
            if (!ec)
                accept_some();
            break;
        case Kind::timer:
            break; // the timer's work is done at the top of every turn
        }
    } catch (const std::exception& e) { // not expected: bad_alloc, say
        if (op.peer != nullptr)
            fail(*op.peer, e);
        else
            log_.error("race turn: ", e.what());
    }
}

} // namespace

} // namespace switchboard::lab::race

namespace switchboard::lab {

std::shared_ptr<single_task::Engine>
make_race_engine(boost::asio::io_context& io, const Config& config, const Options& options) {
    return std::make_shared<race::Race>(io, config, options.tuning);
}

} // namespace switchboard::lab
