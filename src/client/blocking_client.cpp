#include <switchboard/blocking_client.hpp>
#include <switchboard/client.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace switchboard {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

/// How long a cancelled operation may take to finish. Socket operations finish at once; only
/// a host name lookup in the system resolver can ignore cancellation.
constexpr milliseconds cancel_grace{1'000};
/// Beyond this a timeout means "forever"; keeps now() + timeout from overflowing.
constexpr milliseconds longest_timeout = std::chrono::hours(24 * 365);

struct Done {};

/// What one run of an operation produced. Shared with the completion handler, so an
/// operation that outlives its call (see cancel_grace) writes into live memory; each run
/// has its own signal, so such a straggler never holds the slot of a later run.
template <typename T>
struct Outcome {
    asio::cancellation_signal cancel;
    bool done = false;
    std::exception_ptr error;
    std::optional<T> value;
};

/// co_spawn lets only terminal cancellation through by default; the receive timeout emits
/// total cancellation, which the socket read honours without consuming anything.
template <typename T>
asio::awaitable<T> accepting_any_cancellation(asio::awaitable<T> operation) {
    co_await asio::this_coro::reset_cancellation_state(asio::enable_total_cancellation());
    co_return co_await std::move(operation);
}

asio::awaitable<Done> send_and_report(Client& client, PeerId destination,
                                      std::string_view payload) {
    co_await client.send(destination, payload);
    co_return Done{};
}

bool is_operation_aborted(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const boost::system::system_error& e) {
        return e.code() == asio::error::operation_aborted;
    } catch (...) {
        return false;
    }
}

[[noreturn]] void throw_timed_out(const std::string& what) {
    throw boost::system::system_error(asio::error::timed_out, what);
}

} // namespace

class BlockingClient::Impl {
public:
    /// Runs `operation` on the private io_context for at most `timeout`, then cancels it
    /// with `on_timeout`. Returns its value, or nullopt when it timed out.
    template <typename T>
    std::optional<T> run(asio::awaitable<T> operation, milliseconds timeout,
                         asio::cancellation_type on_timeout);

    // The io_context first: the client's socket must be destroyed before it.
    asio::io_context io{1};
    Client client{io.get_executor()};
};

template <typename T>
std::optional<T> BlockingClient::Impl::run(asio::awaitable<T> operation, milliseconds timeout,
                                           asio::cancellation_type on_timeout) {
    timeout = std::clamp(timeout, milliseconds::zero(), longest_timeout);
    auto outcome = std::make_shared<Outcome<T>>();
    io.restart();
    asio::co_spawn(io, accepting_any_cancellation(std::move(operation)),
                   asio::bind_cancellation_slot(outcome->cancel.slot(),
                                                [outcome](std::exception_ptr error, T value) {
                                                    outcome->done = true;
                                                    outcome->error = error;
                                                    if (!error)
                                                        outcome->value.emplace(std::move(value));
                                                }));
    // run_for returns as soon as the operation completes: nothing else keeps io busy.
    io.run_for(timeout);
    bool cancelled = false;
    if (!outcome->done) {
        cancelled = true;
        outcome->cancel.emit(on_timeout);
        io.restart();
        io.run_for(cancel_grace);
        if (!outcome->done) {
            client.close();
            io.restart();
            io.run_for(cancel_grace);
        }
    }
    if (!outcome->done)
        return std::nullopt; // finishes in a later call, or is destroyed with the io_context
    if (outcome->error) {
        if (cancelled && is_operation_aborted(outcome->error))
            return std::nullopt;
        std::rethrow_exception(outcome->error);
    }
    return std::move(outcome->value);
}

BlockingClient::BlockingClient()
    : impl_(std::make_unique<Impl>()) {}

BlockingClient::~BlockingClient() = default;
BlockingClient::BlockingClient(BlockingClient&& other) noexcept = default;
BlockingClient& BlockingClient::operator=(BlockingClient&& other) noexcept = default;

PeerId BlockingClient::connect(const std::string& host, std::uint16_t port, milliseconds timeout) {
    const auto id =
        impl_->run(impl_->client.connect(host, port), timeout, asio::cancellation_type::terminal);
    if (!id) {
        impl_->client.close();
        throw_timed_out("switchboard::BlockingClient::connect to " + host + ":" +
                        std::to_string(port));
    }
    return *id;
}

PeerId BlockingClient::id() const noexcept {
    return impl_->client.id();
}

bool BlockingClient::is_open() const noexcept {
    return impl_->client.is_open();
}

void BlockingClient::send(PeerId destination, std::string_view payload, milliseconds timeout) {
    // Checked here too, so that the error is std::invalid_argument however it is reached.
    if (payload.find('\0') != std::string_view::npos)
        throw std::invalid_argument("switchboard::BlockingClient::send: the payload contains a "
                                    "0x00 byte, which the protocol reserves as the terminator");
    const auto done = impl_->run(send_and_report(impl_->client, destination, payload), timeout,
                                 asio::cancellation_type::terminal);
    if (!done) {
        // Part of the frame may have gone out; the stream cannot be resynchronised.
        impl_->client.close();
        throw_timed_out("switchboard::BlockingClient::send");
    }
}

std::optional<std::string> BlockingClient::receive(milliseconds timeout) {
    return impl_->run(impl_->client.receive(), timeout, asio::cancellation_type::total);
}

void BlockingClient::shutdown_send() {
    impl_->client.shutdown_send();
}

void BlockingClient::close() noexcept {
    impl_->client.close();
}

} // namespace switchboard
