#include "progress.hpp"

#include <cstdio>

namespace switchboard::bench {

void Progress::show(const std::string& text) {
    if (!out_)
        return;
    *out_ << '\r' << text << "\033[K" << std::flush;
    shown_ = true;
}

void Progress::clear() {
    if (!out_ || !shown_)
        return;
    *out_ << "\r\033[K" << std::flush;
    shown_ = false;
}

std::string human_number(double value) {
    char text[32];
    if (value >= 1e9)
        std::snprintf(text, sizeof text, "%.2f G", value / 1e9);
    else if (value >= 1e6)
        std::snprintf(text, sizeof text, "%.2f M", value / 1e6);
    else if (value >= 1e3)
        std::snprintf(text, sizeof text, "%.1f k", value / 1e3);
    else
        std::snprintf(text, sizeof text, "%.0f", value);
    return text;
}

} // namespace switchboard::bench
