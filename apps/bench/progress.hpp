// The live progress line: rewritten in place on stderr, only when stderr is a terminal (the
// caller decides), and erased before the summary is printed.
#pragma once

#include <ostream>
#include <string>

namespace switchboard::bench {

class Progress {
public:
    /// `out` null: progress is off and every call does nothing.
    explicit Progress(std::ostream* out)
        : out_(out) {}
    ~Progress() { clear(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    bool enabled() const noexcept { return out_ != nullptr; }
    /// Replaces the line with `text`.
    void show(const std::string& text);
    /// Erases the line.
    void clear();

private:
    std::ostream* out_;
    bool shown_ = false;
};

/// "12.30 M", "456.7 k", "89": a rate or a count in a few characters (append the unit).
std::string human_number(double value);

} // namespace switchboard::bench
