// The race model (docs/patterns.md): one thread, ONE coroutine. Each turn it builds the list
// of everything it could wait for — the turn's timer, the listener, a readiness wait for every
// peer it would read, an async_write_some for every peer with queued bytes — launches them
// all as one ranged parallel group with wait_for_one, and when the first completes (the
// group cancels the rest and waits for them) handles every operation that did complete, with
// direct access to the state. Then it goes round again.
//
// Cost: every turn initiates and cancels O(live connections) operations, however few are
// active. That is the design, kept honest here: nothing is cached between turns.
//
// Safety of the cancel-and-relaunch each turn: reads are readiness waits (a cancelled wait
// has consumed nothing; the bytes are read with non-blocking read_some after it completes);
// the listener likewise (non-blocking accept after readiness). Writes are real
// async_write_some operations: a write may complete before the group cancels it, so the
// results of *every* completed operation are handled, not just the winner's. While the group
// is pending nothing touches the state (stop/abort requests only set a flag and cancel the
// timer), so the queued bytes a write reads stay put.
#include "one_thread_relay.hpp"
#include "server_model.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <vector>

namespace switchboard::detail {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using one_thread::Clock;
using one_thread::Peer;
using one_thread::Relay;
using one_thread::tcp;

/// Bytes read from one peer per turn: a turn costs O(connections), so it should do a lot.
constexpr std::size_t read_budget = 256 * KiB;
/// Bytes offered to one async_write_some (the kernel takes what fits).
constexpr std::size_t write_budget = 1 * MiB;
constexpr std::size_t accept_budget = 64;

class RaceState final : public Relay {
public:
    RaceState(asio::io_context& io, Config config)
        : Relay(io, std::move(config), "race")
        , wake(io)
        , posting_executor(asio::require(io.get_executor(), asio::execution::blocking.never)) {}

    /// The turn's own operation: expires at the next deadline (housekeeping, drain, accept
    /// back-off); cancelled by a stop or abort request so that the turn ends at once.
    asio::steady_timer wake;
    /// The io_context's executor, but posting: see Operation.
    using PostingExecutor = decltype(asio::require(std::declval<asio::io_context&>().get_executor(),
                                                   asio::execution::blocking.never));
    PostingExecutor posting_executor;
    std::vector<std::function<void()>> stop_requests;
    bool abort_requested = false;

    /// From a post: while a turn's group is pending only this flag and the timer are touched.
    void request_stop(std::function<void()> on_stopped) {
        if (state() == State::created || state() == State::stopped) {
            stop(std::move(on_stopped)); // no coroutine is running: answer directly
            return;
        }
        stop_requests.push_back(std::move(on_stopped));
        wake.cancel();
    }
    void request_abort() {
        if (state() == State::created || state() == State::stopped) {
            abort();
            return;
        }
        abort_requested = true;
        wake.cancel();
    }
    void apply_requests() {
        auto requests = std::move(stop_requests);
        stop_requests.clear();
        for (auto& handler : requests)
            stop(std::move(handler));
        if (abort_requested) {
            abort_requested = false;
            abort();
        }
    }
};

/// One operation of a turn. A ranged group needs operations of one type, so the four kinds
/// are one initiation with one completion signature, void(error_code, bytes); the waits
/// complete with 0 bytes.
struct Operation {
    enum class Kind { timer, accept, readable, write };
    Kind kind;
    RaceState* state;
    Peer* peer; ///< for readable and write

    template <typename Handler>
    void operator()(Handler&& handler) const {
        // The group cancels an operation through the slot of the handler it passes, so every
        // adapter keeps that slot. Completions are posted (never run inline), so operations
        // that became ready in the same poll all complete before the first one's handler
        // decides the race: one turn handles them together.
        auto slot = asio::get_associated_cancellation_slot(handler);
        const auto& ex = state->posting_executor;
        if (kind == Kind::write) {
            const std::size_t size = std::min(peer->queued_bytes(), write_budget);
            peer->socket.async_write_some(
                asio::buffer(peer->out.data() + peer->out_begin, size),
                asio::bind_cancellation_slot(
                    slot, asio::bind_executor(ex, std::forward<Handler>(handler))));
            return;
        }
        // The waits complete with void(error_code): adapt to the common signature.
        auto done = asio::bind_cancellation_slot(
            slot,
            asio::bind_executor(ex, [h = std::forward<Handler>(handler)](error_code ec) mutable {
                std::move(h)(ec, std::size_t{0});
            }));
        switch (kind) {
        case Kind::timer:
            state->wake.async_wait(std::move(done));
            break;
        case Kind::accept:
            state->acceptor.async_wait(tcp::acceptor::wait_read, std::move(done));
            break;
        default:
            peer->socket.async_wait(tcp::socket::wait_read, std::move(done));
            break;
        }
    }
};

auto deferred_operation(const Operation& op) {
    return asio::async_initiate<const asio::deferred_t&, void(error_code, std::size_t)>(
        op, asio::deferred);
}
using DeferredOperation = decltype(deferred_operation(std::declval<const Operation&>()));

/// Handles one operation that completed (successfully or not) in this turn.
void handle(RaceState& s, const Operation& op, const error_code& ec, std::size_t bytes) {
    using Kind = Operation::Kind;
    switch (op.kind) {
    case Kind::write:
        // Account for the bytes even if the group's cancellation came second.
        s.wrote(*op.peer, bytes);
        if (ec && ec != asio::error::operation_aborted)
            s.write_failed(*op.peer, ec);
        break;
    case Kind::readable:
        if (ec == asio::error::operation_aborted)
            break;
        if (s.wants_linger_read(*op.peer))
            s.discard_input(*op.peer, read_budget);
        else
            s.read_input(*op.peer, read_budget); // reports EOF and errors itself
        break;
    case Kind::accept:
        if (!ec)
            s.accept_some(accept_budget);
        break;
    case Kind::timer:
        break; // deadlines are checked after every turn
    }
}

asio::awaitable<void> race_loop(std::shared_ptr<RaceState> self) {
    RaceState& s = *self;
    std::vector<Operation> operations;
    std::vector<DeferredOperation> deferred;
    std::uint64_t turns = 0, launched = 0; // the cost of the design, logged at the end
    for (;;) {
        s.apply_requests();
        s.end_turn(); // erase the peers closed last turn; finishes a stop
        if (s.state() == Relay::State::stopped) {
            s.log.debug("race loop: ", turns, " turns, ", launched, " operations launched");
            break;
        }

        const auto now = Clock::now();
        const bool accepting = s.accepting() && now >= s.accept_resume_at();
        auto wake_at = s.next_deadline();
        if (s.accepting() && !accepting)
            wake_at = std::min(wake_at, s.accept_resume_at());
        s.wake.expires_at(wake_at);

        operations.clear();
        operations.push_back({Operation::Kind::timer, &s, nullptr});
        if (accepting)
            operations.push_back({Operation::Kind::accept, &s, nullptr});
        for (const auto& peer : s.peers) {
            if (s.wants_read(*peer) || s.wants_linger_read(*peer))
                operations.push_back({Operation::Kind::readable, &s, peer.get()});
            if (!peer->closed && peer->has_output())
                operations.push_back({Operation::Kind::write, &s, peer.get()});
        }
        deferred.clear();
        deferred.reserve(operations.size());
        for (const Operation& op : operations)
            deferred.push_back(deferred_operation(op));

        ++turns;
        launched += operations.size();
        // Suspension: the only one. Peers are not erased while it is pending (end_turn runs
        // above), so the Peer pointers in `operations` stay valid.
        auto [order, errors, bytes] =
            co_await asio::experimental::make_parallel_group(std::move(deferred))
                .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);

        // Writes first: bytes the kernel took in this turn were sent, whatever the other
        // completions then do to the peer (a read error closes it and counts what is still
        // queued as dropped: it must not count bytes already written).
        for (const std::size_t i : order)
            if (operations[i].kind == Operation::Kind::write)
                handle(s, operations[i], errors[i], bytes[i]);
        for (const std::size_t i : order)
            if (operations[i].kind != Operation::Kind::write)
                handle(s, operations[i], errors[i], bytes[i]);
        s.on_timer(Clock::now());
    }
}

class RaceModel final : public ServerModel {
public:
    RaceModel(asio::io_context& io, Config config)
        : state_(std::make_shared<RaceState>(io, std::move(config))) {}
    ~RaceModel() override { abort(); }

    void start() override {
        state_->open();
        asio::co_spawn(state_->io, race_loop(state_), [state = state_](std::exception_ptr error) {
            if (!error)
                return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                state->log.error("race loop failed: ", e.what());
            }
        });
    }
    std::uint16_t port() const noexcept override { return state_->port; }
    std::string local_address() const override { return state_->address; }
    Stats stats() const noexcept override { return state_->counters.snapshot(); }

    void stop(std::function<void()> on_stopped) override {
        asio::post(state_->io, [state = state_, handler = std::move(on_stopped)]() mutable {
            state->request_stop(std::move(handler));
        });
    }
    void abort() override {
        asio::post(state_->io, [state = state_] { state->request_abort(); });
    }

private:
    std::shared_ptr<RaceState> state_;
};

} // namespace

std::unique_ptr<ServerModel> make_race_model(asio::io_context& io, Config config) {
    return std::make_unique<RaceModel>(io, std::move(config));
}

} // namespace switchboard::detail
