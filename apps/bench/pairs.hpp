// Sender->receiver pairs for the throughput engine: two clients of the server (the sender
// addresses the receiver's ID), or one loopback connection of the bench's own (`direct`).
#pragma once

#include "failure.hpp"
#include "net.hpp"
#include "workers.hpp"

#include <vector>

namespace switchboard::bench {

struct PairLink {
    tcp::socket sender;
    tcp::socket receiver;
    /// The ID the sender's frames are addressed to.
    PeerId destination = 0;
};

/// `count` pairs of clients of `server`; pair i's sockets belong to workers.context(i).
/// Runs the workers until all are connected. Throws BenchError.
std::vector<PairLink> connect_server_pairs(Workers& workers, std::size_t count,
                                           const tcp::endpoint& server, const std::string& name);

/// `count` loopback connections, sender = connecting end, receiver = accepted end; the
/// destination is a made-up ID without zero bytes, since the receiver sees the frame whole.
std::vector<PairLink> make_direct_pairs(Workers& workers, std::size_t count);

/// The destination written in `direct` frames: no 0x00 byte, so only terminators count.
inline constexpr PeerId direct_destination = 0x01020304;

} // namespace switchboard::bench
