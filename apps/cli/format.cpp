#include "format.hpp"

#include <charconv>
#include <cstdio>

namespace switchboard::cli {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

template <typename Unsigned>
std::optional<Unsigned> parse_unsigned(std::string_view text, int base) {
    Unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

} // namespace

std::optional<PeerId> parse_peer_id(std::string_view text) {
    if (text.starts_with("0x") || text.starts_with("0X"))
        return parse_unsigned<PeerId>(text.substr(2), 16);
    return parse_unsigned<PeerId>(text, 10);
}

std::string format_peer_id(PeerId id) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08x", static_cast<unsigned>(id));
    return std::to_string(id) + " (" + hex + ")";
}

std::string escape_text(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c >= 0x20 && c < 0x7f) {
                out += ch;
            } else {
                out += "\\x";
                out += hex_digits[c >> 4];
                out += hex_digits[c & 0xf];
            }
        }
    }
    return out;
}

std::string to_hex(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 3);
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (!out.empty())
            out += ' ';
        out += hex_digits[c >> 4];
        out += hex_digits[c & 0xf];
    }
    return out;
}

std::string format_received(std::string_view payload, bool hex) {
    return "received: " + (hex ? to_hex(payload) : escape_text(payload));
}

} // namespace switchboard::cli
