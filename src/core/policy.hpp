// The relay's fixed policies: the numbers every model shares, each with the reason for its
// value. Configurable limits are in switchboard::Config; these are not meant to be tuned.
#pragma once

#include <switchboard/units.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace switchboard::core {

using namespace switchboard::literals; // 64_KiB, 4_MiB

/// How often the slow-consumer sweep runs: a quarter of the timeout, so a slow consumer is
/// caught within 125 % of it; never more often than every 5 ms, never less than every second.
constexpr std::chrono::milliseconds housekeeping_period(std::chrono::milliseconds timeout) {
    using std::chrono::milliseconds;
    return std::clamp(timeout / 4, milliseconds(5), milliseconds(1000));
}

/// After an accept that failed for lack of resources (EMFILE, ENOBUFS, ...): accept fails at
/// once while the cause lasts, and retrying at once would spin the thread.
inline constexpr std::chrono::milliseconds accept_backoff{100};

/// Reads land in reference-counted chunks of this size (Tuning::read_chunk_size).
inline constexpr std::size_t default_read_chunk_size = 64_KiB;

/// Payloads up to this size are copied onto the end of the destination's queue rather than
/// queued as views of the read chunk: below it an iovec costs the kernel more than the copy
/// costs us, and a copy does not pin a whole read chunk for a few bytes.
inline constexpr std::size_t copy_threshold = 512;
/// The size of the chunks small payloads are copied into.
inline constexpr std::size_t staging_chunk_size = 16_KiB;

/// One write moves at most this many queue entries (the iovec array of a gather write)...
inline constexpr std::size_t max_write_entries = 64;
/// ... and at most this many bytes: other peers' writes wait meanwhile.
inline constexpr std::size_t max_write_bytes = 4_MiB;

/// A reader that keeps finding data yields to the others after this many reads in a row.
inline constexpr std::size_t reads_per_turn = 4;

} // namespace switchboard::core
