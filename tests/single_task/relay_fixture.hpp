// A Relay with no sockets: peers are plain Peer objects, the IO it asks for is recorded, and
// bytes "arrive" by being copied into a peer's input buffer. The tests feed it events (a
// read, a write, the clock, a stop) and check what it decided.
#pragma once

#include "single_task/relay.hpp"

#include <switchboard/config.hpp>
#include <switchboard/log.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::test {

/// Every request the relay made of the IO layer, in order: "wake_writer 1", "close 2", ...
/// (peers named by their admission order, 1-based, as IDs are random).
class RecordingIo final : public single_task::PeerIo {
public:
    void wake_writer(single_task::Peer& peer) override { record("wake_writer", peer); }
    void wake_reader(single_task::Peer& peer) override { record("wake_reader", peer); }
    void stop_reading(single_task::Peer& peer) override { record("stop_reading", peer); }
    void close_transport(single_task::Peer& peer) override { record("close", peer); }

    /// The requests made since the last call, and forgets them.
    std::vector<std::string> take();
    /// True when `request` ("wake_reader 2") was made since the last take().
    bool made(std::string_view request) const;

    std::vector<const single_task::Peer*> order; ///< peers in admission order

private:
    void record(std::string_view what, const single_task::Peer& peer);
    std::vector<std::string> requests_;
};

class RelayFixture {
public:
    using Clock = single_task::Relay::Clock;
    using Peer = single_task::Peer;

    explicit RelayFixture(Config config = small_config());

    /// Limits small enough to reach in a test: high water 1 KiB, low water 256 B, max frame
    /// 600 B, slow consumer timeout 1 s, max connections 8.
    static Config small_config();

    /// A new peer, admitted at `now`.
    Peer& connect(std::string remote = "192.0.2.1:1000");
    /// Copies `bytes` into the peer's input as one read, then lets the relay route them.
    single_task::Relay::Input receive(Peer& peer, std::string_view bytes);
    /// What is queued to `peer`, as the bytes a write would send.
    std::string queued(const Peer& peer) const;
    /// Writes everything queued to `peer` (one write of all of it).
    void write_all(Peer& peer);
    /// Writes the first `n` queued bytes.
    void write(Peer& peer, std::size_t n);
    /// Lets the relay forget the peer, as its owner does when its coroutines have ended.
    void leave(Peer& peer);

    /// One frame [destination][payload][0x00].
    static std::string frame(PeerId destination, std::string_view payload);

    bool logged(std::string_view text) const;

    Config config;
    Clock::time_point now = Clock::time_point() + std::chrono::hours(1);
    std::vector<std::string> log_lines;
    Logger log;
    RecordingIo io;
    single_task::Relay relay;

private:
    std::vector<std::unique_ptr<Peer>> peers_;
};

} // namespace switchboard::test
