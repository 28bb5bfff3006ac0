// A latency histogram with bounded memory and ~0.8 % resolution: values below 256 have a bucket
// each; above, every power of two is split into 128 buckets (the HdrHistogram layout with 8
// significant bits). Recording is a few integer operations and never allocates, so the
// latency loop can record every round trip.
#pragma once

#include <array>
#include <cstdint>

namespace switchboard::bench {

class Histogram {
public:
    /// Records one value (nanoseconds in this program).
    void record(std::uint64_t value) noexcept;

    std::uint64_t count() const noexcept { return count_; }
    std::uint64_t min() const noexcept { return count_ ? min_ : 0; }
    std::uint64_t max() const noexcept { return max_; }
    double mean() const noexcept;

    /// The smallest recorded value v such that at least `percent` % of the values are <= v,
    /// to within one bucket (the bucket's upper bound, clamped to [min, max]). Monotonic in
    /// `percent`; 0 when empty.
    std::uint64_t percentile(double percent) const noexcept;

private:
    static constexpr unsigned sub_bucket_bits = 8;
    static constexpr std::uint64_t sub_buckets = 1u << sub_bucket_bits; // 256
    static constexpr std::uint64_t half = sub_buckets / 2;              // 128
    static constexpr std::size_t bucket_count = (64 - sub_bucket_bits + 1) * half + half;

    static std::size_t index_of(std::uint64_t value) noexcept;
    static std::uint64_t upper_bound_of(std::size_t index) noexcept;

    std::array<std::uint64_t, bucket_count> buckets_{};
    std::uint64_t count_ = 0;
    std::uint64_t min_ = 0;
    std::uint64_t max_ = 0;
    long double sum_ = 0;
};

} // namespace switchboard::bench
