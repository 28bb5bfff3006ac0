#include "histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace switchboard::bench {

std::size_t Histogram::index_of(std::uint64_t value) noexcept {
    if (value < sub_buckets)
        return static_cast<std::size_t>(value);
    // value >> shift lands in [128, 256): 7 bits of mantissa below the leading one.
    const unsigned shift = static_cast<unsigned>(std::bit_width(value)) - sub_bucket_bits;
    return static_cast<std::size_t>(shift * half + (value >> shift));
}

std::uint64_t Histogram::upper_bound_of(std::size_t index) noexcept {
    if (index < sub_buckets)
        return index;
    const unsigned shift = static_cast<unsigned>(index / half) - 1;
    const std::uint64_t mantissa = index % half + half;
    return ((mantissa + 1) << shift) - 1;
}

void Histogram::record(std::uint64_t value) noexcept {
    ++buckets_[index_of(value)];
    if (count_ == 0 || value < min_)
        min_ = value;
    max_ = std::max(max_, value);
    ++count_;
    sum_ += value;
}

double Histogram::mean() const noexcept {
    return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

std::uint64_t Histogram::percentile(double percent) const noexcept {
    if (count_ == 0)
        return 0;
    const double wanted =
        std::ceil(std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(count_));
    const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        seen += buckets_[i];
        if (seen >= rank)
            return std::clamp(upper_bound_of(i), min_, max_);
    }
    return max_;
}

} // namespace switchboard::bench
