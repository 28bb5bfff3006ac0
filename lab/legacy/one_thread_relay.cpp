#include "one_thread_relay.hpp"

#include "transport/listener.hpp"

#include <switchboard/units.hpp>

#include <algorithm>
#include <array>
#include <cstring>

namespace switchboard::detail::one_thread {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

/// Accept back-off after EMFILE and friends: accept fails at once and would spin the thread.
constexpr std::chrono::milliseconds accept_backoff{100};
/// Read at least this much per read_some; a partial frame is moved to the front or the
/// buffer grows to make room.
constexpr std::size_t min_read_space = 4 * KiB;
/// A queue that emptied keeps its buffer unless it grew beyond this.
constexpr std::size_t kept_queue_capacity = 256 * KiB;

std::chrono::milliseconds housekeeping_period(std::chrono::milliseconds slow_consumer_timeout) {
    // A quarter of the timeout, as in the single-task model: caught within 125% of it.
    using std::chrono::milliseconds;
    return std::clamp(slow_consumer_timeout / 4, milliseconds(5), milliseconds(1000));
}

bool would_block(const error_code& ec) {
    return ec == asio::error::would_block || ec == asio::error::try_again;
}

/// Accept errors that mean "out of resources": back off instead of retrying at once.
bool out_of_resources(const error_code& ec) {
    return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
           ec == asio::error::no_memory ||
           ec == error_code(ENFILE, asio::error::get_system_category());
}

std::string_view describe(Relay::CloseReason reason) {
    using R = Relay::CloseReason;
    switch (reason) {
    case R::error:
        return "connection error";
    case R::frame_too_large:
        return "frame too large";
    case R::slow_consumer:
        return "slow consumer";
    case R::drain_timeout:
        return "drain deadline passed";
    case R::aborted:
        return "server aborted";
    }
    return "?";
}

} // namespace

Relay::Relay(asio::io_context& io_context, Config cfg, std::string_view model_name)
    : io(io_context)
    , config(std::move(cfg))
    , log(config.log_level, config.log_sink)
    , acceptor(io_context)
    , model_name_(model_name)
    , random_(std::random_device{}())
    , housekeeping_period_(housekeeping_period(config.slow_consumer_timeout)) {}

void Relay::open() {
    if (state_ != State::created)
        throw std::logic_error("switchboard::Server::start called twice");
    open_listener(acceptor, config);
    acceptor.non_blocking(true);
    port = listening_port(acceptor);
    address = listening_address(acceptor);
    state_ = State::running;
    next_housekeeping_ = Clock::now() + housekeeping_period_;
    log.info("listening on ", address, " (model ", model_name_, ", max frame ",
             format_byte_size(config.max_frame), ", high/low water ",
             format_byte_size(config.high_water), "/", format_byte_size(config.low_water),
             ", slow consumer timeout ", format_duration(config.slow_consumer_timeout),
             ", max connections ", config.max_connections, ")");
}

Clock::time_point Relay::next_deadline() const noexcept {
    return std::min(next_housekeeping_,
                    drain_deadline_passed_ ? Clock::time_point::max() : drain_deadline_);
}

// --- accepting

bool Relay::accept_some(std::size_t budget) {
    for (std::size_t i = 0; i < budget && acceptor.is_open(); ++i) {
        error_code ec;
        tcp::socket socket = acceptor.accept(ec);
        if (would_block(ec))
            return true;
        if (out_of_resources(ec)) {
            log.warning("accept failed: ", ec.message(), "; retrying in ", accept_backoff.count(),
                        "ms");
            accept_resume_at_ = Clock::now() + accept_backoff;
            return false;
        }
        if (ec) // e.g. the client reset before we accepted it: nothing to do
            continue;
        if (peers.size() >= config.max_connections) {
            counters.connections_refused.add();
            error_code ignored;
            log.warning("refused ", socket.remote_endpoint(ignored), ": at max_connections (",
                        config.max_connections, ")");
            socket.close(ignored);
            continue;
        }
        admit(std::move(socket));
    }
    return true;
}

void Relay::admit(tcp::socket socket) {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec); // relayed messages are small: don't hold them
    socket.non_blocking(true, ec);
    auto peer = std::make_shared<Peer>(std::move(socket), config.max_frame);
    peer->remote = peer->socket.remote_endpoint(ec);
    peer->index = peers.size();
    peers.push_back(peer);
    // Addressable from the moment its ID is queued; the ID is the first thing it receives.
    peer->id = allocate_id();
    directory_.emplace(peer->id, peer.get());
    peer->registered = true;
    std::array<std::byte, protocol::id_size> id_bytes{};
    protocol::store_u32(id_bytes, peer->id);
    peer->last_progress = Clock::now();
    peer->out.assign(id_bytes.begin(), id_bytes.end());
    peer->out_queued_total = id_bytes.size();
    counters.connections_accepted.add();
    log.debug("connected ", peer->remote, " as id ", peer->id);
    touched(*peer);
}

PeerId Relay::allocate_id() {
    std::uniform_int_distribution<PeerId> any;
    for (;;) {
        const PeerId id = any(random_);
        if (protocol::is_assignable(id) && !directory_.contains(id))
            return id;
    }
}

// --- input

void Relay::make_room(Peer& peer) {
    if (!peer.in) {
        peer.in_capacity = std::max(config.read_chunk_size, 2 * min_read_space);
        peer.in = std::make_unique_for_overwrite<std::byte[]>(peer.in_capacity);
        peer.in_begin = peer.in_end = 0;
        return;
    }
    if (peer.in_capacity - peer.in_end >= min_read_space)
        return;
    const std::size_t partial = peer.in_end - peer.in_begin;
    if (peer.in_capacity - partial >= std::max(min_read_space, peer.in_capacity / 4)) {
        std::memmove(peer.in.get(), peer.in.get() + peer.in_begin, partial);
    } else {
        // A frame longer than the buffer: grow. The parser fails at max_frame, so this stays
        // within twice max(max_frame, read_chunk_size).
        const std::size_t capacity = 2 * peer.in_capacity;
        auto bigger = std::make_unique_for_overwrite<std::byte[]>(capacity);
        std::memcpy(bigger.get(), peer.in.get() + peer.in_begin, partial);
        peer.in = std::move(bigger);
        peer.in_capacity = capacity;
    }
    peer.in_begin = 0;
    peer.in_end = partial;
}

Relay::Progress Relay::read_input(Peer& peer, std::size_t budget) {
    // A sender resumed earlier in this turn routes what it already holds before it reads:
    // it may pause again, and an EOF read now must not find complete frames unrouted.
    if (peer.in_end > peer.in_begin)
        route_buffered(peer);
    std::size_t total = 0;
    while (wants_read(peer)) {
        make_room(peer);
        error_code ec;
        const std::size_t space = std::min(peer.in_capacity - peer.in_end, budget - total);
        const std::size_t n =
            peer.socket.read_some(asio::buffer(peer.in.get() + peer.in_end, space), ec);
        if (would_block(ec)) {
            if (peer.in_begin == peer.in_end) {
                peer.in.reset(); // an idle connection holds no read buffer
                peer.in_capacity = peer.in_begin = peer.in_end = 0;
            }
            return Progress::would_block;
        }
        if (ec) {
            input_ended(peer, ec);
            return Progress::finished;
        }
        peer.in_end += n;
        total += n;
        route_buffered(peer);
        if (total >= budget)
            return Progress::budget_spent;
    }
    return Progress::finished;
}

void Relay::route_buffered(Peer& sender) {
    // While stopping, everything already read is routed, whatever the queues: no more reads
    // follow, so a pause could never end.
    while (!sender.closed && (sender.paused_on == 0 || state_ == State::draining)) {
        const auto result = sender.parser.next(std::span<const std::byte>(
            sender.in.get() + sender.in_begin, sender.in_end - sender.in_begin));
        if (result.status == FrameParser::Status::need_more)
            break;
        if (result.status == FrameParser::Status::frame_too_large) {
            close_peer(sender, CloseReason::frame_too_large,
                       "no terminator within " + std::to_string(config.max_frame) + " bytes");
            return;
        }
        sender.in_begin += result.consumed;
        route(sender, result.frame);
    }
    if (sender.in_begin == sender.in_end)
        sender.in_begin = sender.in_end = 0;
}

void Relay::route(Peer& sender, const Frame& frame) {
    const auto found = directory_.find(frame.destination);
    if (found == directory_.end()) {
        counters.frames_unknown_destination.add();
        if (config.error_notices) {
            const std::string notice = protocol::encode_error_notice(
                "unknown destination " + std::to_string(frame.destination));
            enqueue(sender, std::as_bytes(std::span(notice.data(), notice.size())));
            counters.error_notices_sent.add();
            if (sender.queued_bytes() > config.high_water)
                pause(sender, sender); // its own notices are held back like any frame
        }
        return;
    }
    Peer& destination = *found->second;
    enqueue(destination, frame.payload);
    counters.frames_routed.add();
    counters.bytes_routed.add(frame.payload.size());
    if (destination.queued_bytes() > config.high_water)
        pause(sender, destination);
}

void Relay::enqueue(Peer& destination, std::span<const std::byte> bytes) {
    if (!destination.has_output()) {
        destination.last_progress = Clock::now(); // the slow-consumer clock starts now
        destination.out.clear();
        destination.out_begin = 0;
    }
    destination.out.insert(destination.out.end(), bytes.begin(), bytes.end());
    destination.out_queued_total += bytes.size();
    destination.frame_ends.push_back(destination.out_queued_total);
    touched(destination);
}

void Relay::pause(Peer& sender, Peer& destination) {
    if (state_ != State::running)
        return;
    sender.paused_on = destination.id;
    if (std::find(destination.paused_senders.begin(), destination.paused_senders.end(),
                  sender.id) == destination.paused_senders.end())
        destination.paused_senders.push_back(sender.id);
    counters.senders_paused.add();
    log.debug("pausing id ", sender.id, ": the queue of id ", destination.id, " is above ",
              config.high_water, " bytes");
}

void Relay::wake_paused_senders(Peer& destination) {
    for (const PeerId id : destination.paused_senders) {
        const auto found = directory_.find(id);
        // A stale ID (the sender left; maybe the ID is someone else's now) is skipped.
        if (found != directory_.end() && found->second->paused_on == destination.id) {
            found->second->paused_on = 0;
            resumed_.push_back(id);
        }
    }
    destination.paused_senders.clear();
}

void Relay::input_ended(Peer& peer, error_code ec) {
    if (peer.in_end > peer.in_begin)
        counters.partial_frames_discarded.add();
    peer.in.reset();
    peer.in_capacity = peer.in_begin = peer.in_end = 0;
    if (ec != asio::error::eof) {
        close_peer(peer, CloseReason::error, ec.message());
        return;
    }
    // EOF is leaving: the ID is freed at once; what is queued is still flushed.
    peer.eof_received = true;
    peer.input_done = true;
    unregister(peer);
    finish_if_flushed(peer);
    touched(peer);
}

Relay::Progress Relay::discard_input(Peer& peer, std::size_t budget) {
    std::array<std::byte, 4096> sink;
    for (std::size_t total = 0; total < budget && wants_linger_read(peer);) {
        error_code ec;
        total += peer.socket.read_some(asio::buffer(sink), ec);
        if (would_block(ec))
            return Progress::would_block;
        if (ec) { // the client's FIN (or an error): nothing more can arrive
            close_quietly(peer, "flushed");
            return Progress::finished;
        }
    }
    return peer.closed ? Progress::finished : Progress::budget_spent;
}

// --- output

Relay::Progress Relay::write_output(Peer& peer, std::size_t budget) {
    std::size_t total = 0;
    while (!peer.closed && peer.has_output()) {
        if (total >= budget)
            return Progress::budget_spent;
        error_code ec;
        const std::size_t n =
            peer.socket.write_some(asio::buffer(peer.out.data() + peer.out_begin,
                                                std::min(peer.queued_bytes(), budget - total)),
                                   ec);
        if (would_block(ec))
            return Progress::would_block;
        if (ec) {
            write_failed(peer, ec);
            return Progress::finished;
        }
        total += n;
        wrote(peer, n);
    }
    return Progress::finished;
}

void Relay::wrote(Peer& peer, std::size_t n) {
    if (n == 0 || peer.closed) // closed: its queue is gone, and so is the need to account it
        return;
    peer.last_progress = Clock::now();
    peer.out_begin += n;
    peer.out_sent_total += n;
    while (!peer.frame_ends.empty() && peer.frame_ends.front() <= peer.out_sent_total)
        peer.frame_ends.pop_front();
    if (!peer.has_output()) {
        if (peer.out.capacity() > kept_queue_capacity)
            std::vector<std::byte>().swap(peer.out);
        peer.out.clear();
        peer.out_begin = 0;
    } else if (peer.out_begin >= kept_queue_capacity && peer.out_begin >= peer.out.size() / 2) {
        // Drop the sent front: amortised O(1) per byte, and the queue stays one buffer.
        peer.out.erase(peer.out.begin(),
                       peer.out.begin() + static_cast<std::ptrdiff_t>(peer.out_begin));
        peer.out_begin = 0;
    }
    if (!peer.paused_senders.empty() && peer.queued_bytes() <= config.low_water)
        wake_paused_senders(peer);
    finish_if_flushed(peer);
}

void Relay::write_failed(Peer& peer, error_code ec) {
    if (!peer.closed)
        close_peer(peer, CloseReason::error, ec.message());
}

void Relay::finish_if_flushed(Peer& peer) {
    if (peer.closed || !peer.input_done || peer.has_output() || peer.lingering)
        return;
    error_code ec;
    peer.socket.shutdown(tcp::socket::shutdown_send, ec); // FIN after the last queued byte
    if (peer.eof_received) {
        close_quietly(peer, "flushed after the client's FIN");
        return;
    }
    // The server stopped reading a client that had not finished sending. Closing now would
    // answer its next bytes with a reset, which makes its kernel discard what it has received
    // but not read. So linger: discard its input until its FIN, within the drain deadline.
    peer.lingering = true;
    touched(peer);
}

// --- closing

void Relay::close_peer(Peer& peer, CloseReason reason, std::string_view detail) {
    if (peer.closed)
        return;
    const std::size_t frames = peer.frame_ends.size();
    const std::size_t bytes = peer.queued_bytes();
    unregister(peer);
    switch (reason) {
    case CloseReason::error:
        counters.disconnects_error.add();
        break;
    case CloseReason::frame_too_large:
        counters.disconnects_frame_too_large.add();
        break;
    case CloseReason::slow_consumer:
        counters.disconnects_slow_consumer.add();
        break;
    default:
        break;
    }
    drop_queue(peer);
    close_quietly(peer, {});
    // Logged after the counters: tests wait on log lines, then read stats().
    if (reason == CloseReason::error)
        log.debug("closing ", peer.remote, " id ", peer.id, ": ", detail);
    else if (reason == CloseReason::frame_too_large)
        log.warning("disconnecting ", peer.remote, " id ", peer.id, ": ", describe(reason), " (",
                    detail, ")");
    else
        log.warning("disconnecting ", peer.remote, " id ", peer.id, ": ", describe(reason),
                    ", dropping ", frames, " queued frame(s), ", bytes, " bytes");
}

void Relay::close_quietly(Peer& peer, std::string_view why) {
    if (peer.closed)
        return;
    unregister(peer);
    drop_queue(peer);
    peer.closed = true;
    error_code ignored;
    peer.socket.close(ignored); // aborts the reactor's pending waits; handlers see `closed`
    closed_.push_back(peer.shared_from_this());
    if (!why.empty())
        log.debug("closing ", peer.remote, " id ", peer.id, ": ", why);
}

void Relay::unregister(Peer& peer) {
    if (!peer.registered)
        return;
    directory_.erase(peer.id);
    peer.registered = false;
    wake_paused_senders(peer); // "until the destination leaves"
}

void Relay::drop_queue(Peer& peer) {
    if (peer.has_output()) {
        counters.bytes_dropped_on_close.add(peer.queued_bytes());
        counters.frames_dropped_on_close.add(peer.frame_ends.size());
    }
    std::vector<std::byte>().swap(peer.out);
    peer.out_begin = 0;
    peer.frame_ends.clear();
    wake_paused_senders(peer);
}

// --- the turn and the timer

void Relay::end_turn() {
    // Senders resumed this turn first route what they had already read; that may pause them
    // again, or resume others in turn.
    while (!resumed_.empty()) {
        const PeerId id = resumed_.back();
        resumed_.pop_back();
        const auto found = directory_.find(id);
        if (found == directory_.end())
            continue;
        Peer& sender = *found->second;
        route_buffered(sender);
        touched(sender);
    }
    // Erase the peers closed this turn: swap-remove keeps `index` exact.
    auto closed = std::move(closed_);
    closed_.clear();
    for (const auto& peer : closed) {
        const std::shared_ptr<Peer> last = peers.back();
        peers[peer->index] = last;
        last->index = peer->index;
        peers.pop_back();
        counters.connections_closed.add();
        log.debug("disconnected ", peer->remote, " id ", peer->id);
    }
    maybe_finish_stop();
}

void Relay::on_timer(Clock::time_point now) {
    if (now >= next_housekeeping_) {
        next_housekeeping_ = now + housekeeping_period_;
        // O(live peers) once per period, independent of traffic.
        for (const auto& peer : peers)
            if (!peer->closed && peer->has_output() &&
                now - peer->last_progress >= config.slow_consumer_timeout)
                close_peer(*peer, CloseReason::slow_consumer);
    }
    if (state_ == State::draining && !drain_deadline_passed_ && now >= drain_deadline_) {
        drain_deadline_passed_ = true;
        for (const auto& peer : peers) {
            if (peer->lingering)
                close_quietly(*peer, "flushed, client still sending");
            else if (!peer->closed)
                close_peer(*peer, CloseReason::drain_timeout);
        }
    }
}

void Relay::stop(std::function<void()> on_stopped) {
    if (on_stopped)
        stopped_handlers_.push_back(std::move(on_stopped));
    if (state_ == State::created || state_ == State::stopped) {
        state_ = State::stopped;
        maybe_finish_stop();
        return;
    }
    if (state_ == State::draining)
        return;
    begin_drain();
}

void Relay::begin_drain() {
    state_ = State::draining;
    log.info("stopping: listener closed, flushing ", peers.size(), " connection(s) within ",
             config.drain_timeout.count(), "ms");
    error_code ignored;
    acceptor.close(ignored);
    drain_deadline_ = Clock::now() + config.drain_timeout;
    // Stop reading. What was read already is routed now, in full (route_buffered ignores
    // pauses while draining): nothing a client sent completely and we read is left behind.
    for (const auto& peer : peers) {
        peer->paused_on = 0;
        peer->paused_senders.clear();
        route_buffered(*peer);
        peer->input_done = true;
    }
    resumed_.clear();
    for (const auto& peer : peers) {
        finish_if_flushed(*peer);
        touched(*peer);
    }
}

void Relay::abort() {
    if (state_ == State::stopped)
        return;
    if (state_ == State::created) {
        state_ = State::stopped;
        return;
    }
    if (state_ == State::running) {
        state_ = State::draining;
        error_code ignored;
        acceptor.close(ignored);
    }
    drain_deadline_passed_ = true;
    for (const auto& peer : peers)
        close_peer(*peer, CloseReason::aborted);
}

void Relay::maybe_finish_stop() {
    if (state_ == State::draining && peers.empty() && closed_.empty()) {
        state_ = State::stopped;
        log.info("stopped: ", to_string(counters.snapshot()));
    }
    if (state_ != State::stopped)
        return;
    auto handlers = std::move(stopped_handlers_);
    stopped_handlers_.clear();
    for (auto& handler : handlers)
        handler();
}

} // namespace switchboard::detail::one_thread
